# Create the log folder for the Caddy service user before reloading (Linux).
sudo install -d -o caddy -g caddy -m 750 /var/log/caddy
