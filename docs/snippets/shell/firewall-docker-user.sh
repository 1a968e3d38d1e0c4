# snippetguard: proof[firewall-docker-user]
# --8<-- [start:rules]
# Your network interface (the word after "dev" in: ip route show default)
# and your home network's address range (see: ip -4 addr show dev eth0).
LAN_IF=eth0
LAN_NET=192.168.1.0/24
# Drop new connections to the published port 3001 that arrive on that
# interface from anywhere but the home network. By the time Docker's
# DOCKER-USER chain sees a packet, Docker has already rewritten its
# destination to the container, so the rule asks conntrack for the port the
# visitor originally connected to. Answers to the container's own outgoing
# connections (metadata downloads) are not affected.
sudo iptables -I DOCKER-USER -i "$LAN_IF" -p tcp -m conntrack --ctorigdstport 3001 --ctdir ORIGINAL ! -s "$LAN_NET" -j DROP
# --8<-- [end:rules]
# --8<-- [start:check]
# The rule is listed, with packet counters, above any RETURN line.
sudo iptables -L DOCKER-USER -n -v
# --8<-- [end:check]
