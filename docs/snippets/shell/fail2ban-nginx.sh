# Ban, for an hour, addresses that nginx refused more than 20 times in 10
# minutes. fail2ban's own nginx-limit-req filter reads nginx's
# "limiting requests" lines from the site's error log.
sudo apt install fail2ban
sudo tee /etc/fail2ban/jail.d/desterlib.local >/dev/null <<'JAIL'
[nginx-limit-req]
enabled  = true
port     = http,https
logpath  = /var/log/nginx/desterlib.error.log
maxretry = 20
findtime = 10m
bantime  = 1h

# Debian 12 keeps SSH's log in the journal only: without this, the sshd jail
# that the package switches on finds no log file and fail2ban does not start.
[sshd]
backend = systemd
JAIL
sudo systemctl restart fail2ban
# "Currently banned" and the list of banned addresses.
sudo fail2ban-client status nginx-limit-req
