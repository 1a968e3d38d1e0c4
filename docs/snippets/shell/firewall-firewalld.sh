# --8<-- [start:base]
# Start firewalld now and at every boot, then see what the active zone allows.
sudo systemctl enable --now firewalld
sudo firewall-cmd --permanent --add-service=ssh
sudo firewall-cmd --reload
# --8<-- [start:status]
# Is firewalld running, and what does the active zone allow?
sudo firewall-cmd --state
sudo firewall-cmd --list-all
# --8<-- [end:status]
# --8<-- [end:base]
# --8<-- [start:proxy]
# Only with a reverse proxy on this host: HTTP (certificates, redirect) and HTTPS.
sudo firewall-cmd --permanent --add-service=http
sudo firewall-cmd --permanent --add-service=https
sudo firewall-cmd --reload
# --8<-- [end:proxy]
