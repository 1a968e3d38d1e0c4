# Where the allowed TLS versions are set (nginx's defaults, Certbot's options).
grep -n ssl_protocols /etc/nginx/nginx.conf /etc/letsencrypt/options-ssl-nginx.conf
# After editing: test the configuration, then load it.
sudo nginx -t
sudo systemctl reload nginx
