# --8<-- [start:base]
# Refuse incoming connections unless a rule allows them; allow outgoing ones.
sudo ufw default deny incoming
sudo ufw default allow outgoing
# Allow SSH before enabling, or you lock yourself out of a remote server.
sudo ufw allow OpenSSH
sudo ufw enable
# --8<-- [start:status]
# Is UFW active, and what does it allow?
sudo ufw status verbose
# --8<-- [end:status]
# --8<-- [end:base]
# --8<-- [start:proxy]
# Only with a reverse proxy on this host: HTTP (certificates, redirect) and HTTPS.
sudo ufw allow 80/tcp
sudo ufw allow 443/tcp
# --8<-- [end:proxy]
