# snippetguard: proof[firewall-docker-user-boot]
# Rules added with iptables are gone after a reboot. This small service adds
# the rule again every time Docker starts. Write your interface and network
# into both lines (here eth0 and 192.168.1.0/24).
sudo tee /etc/systemd/system/desterlib-lan-only.service >/dev/null <<'UNIT'
[Unit]
Description=DesterLib: port 3001 only from the home network
After=docker.service
PartOf=docker.service

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/sbin/iptables -I DOCKER-USER -i eth0 -p tcp -m conntrack --ctorigdstport 3001 --ctdir ORIGINAL ! -s 192.168.1.0/24 -j DROP
ExecStop=/usr/sbin/iptables -D DOCKER-USER -i eth0 -p tcp -m conntrack --ctorigdstport 3001 --ctdir ORIGINAL ! -s 192.168.1.0/24 -j DROP

[Install]
WantedBy=multi-user.target docker.service
UNIT
sudo systemctl daemon-reload
sudo systemctl enable --now desterlib-lan-only.service
# "active (exited)" is right for a service that only adds a rule.
systemctl status desterlib-lan-only.service --no-pager
