# Check the Caddyfile as the caddy user, then load it. The package already runs
# Caddy as a service. Current Caddy opens the log file while checking: run as
# yourself, the check fails (only caddy may write there); run as root, it
# creates the file owned by root, and the service can then not write its log.
sudo -u caddy caddy validate --config /etc/caddy/Caddyfile --adapter caddyfile
sudo systemctl reload caddy
# "active (running)" means Caddy is serving; the log shows certificate progress.
systemctl status caddy --no-pager
sudo journalctl -u caddy --since "10 minutes ago" --no-pager
