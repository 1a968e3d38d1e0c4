#!/bin/bash
# Caddyfile for Jellyfin, written by a setup script
cat <<'EOF' | sudo tee /etc/caddy/Caddyfile
{
    admin 0.0.0.0:2019  # <- SG503
}
jellyfin.example.com {
    reverse_proxy 127.0.0.1:8096
}
EOF
sudo systemctl reload caddy
