# --8<-- [start:nginx]
# Test the whole nginx configuration, then load it.
sudo nginx -t
sudo systemctl reload nginx
# --8<-- [end:nginx]
# --8<-- [start:caddy]
# Which Caddy is installed, and does it accept the Caddyfile?
caddy version
caddy validate --config /etc/caddy/Caddyfile
sudo systemctl reload caddy
# --8<-- [end:caddy]
