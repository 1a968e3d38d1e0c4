#!/bin/bash
# Reverse proxy written by an install script
sudo tee /etc/nginx/conf.d/photos.conf > /dev/null <<'EOF'
server {
    listen 443 ssl;
    server_name photos.example.com;
    ssl_certificate /etc/letsencrypt/live/photos.example.com/fullchain.pem;
    ssl_certificate_key /etc/letsencrypt/live/photos.example.com/privkey.pem;
    ssl_protocols TLSv1 TLSv1.1 TLSv1.2;  # <- SG406
    server_tokens on;  # <- SG407
    location / {
        proxy_pass http://127.0.0.1:2283;
    }
}
EOF
sudo nginx -t && sudo systemctl reload nginx
