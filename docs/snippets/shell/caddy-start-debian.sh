# Check the Caddyfile, then load it. The package already runs Caddy as a service.
caddy validate --config /etc/caddy/Caddyfile --adapter caddyfile
sudo systemctl reload caddy
# "active (running)" means Caddy is serving; the log shows certificate progress.
systemctl status caddy --no-pager
sudo journalctl -u caddy --since "10 minutes ago" --no-pager
