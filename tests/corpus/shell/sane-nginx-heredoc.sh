#!/bin/bash
# A proxy config written with tee, modern TLS only
sudo tee /etc/nginx/conf.d/desterlib.conf > /dev/null <<'EOF'
server {
    listen 443 ssl;
    server_name media.example.com;
    ssl_certificate /etc/letsencrypt/live/media.example.com/fullchain.pem;
    ssl_certificate_key /etc/letsencrypt/live/media.example.com/privkey.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    server_tokens off;
    location / {
        proxy_pass http://127.0.0.1:3001;
    }
}
EOF
sudo nginx -t && sudo systemctl reload nginx
