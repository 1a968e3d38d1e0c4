# Where TLS versions are set: nginx's main file, Certbot's options (if any),
# and every enabled site. Only "TLSv1.2 TLSv1.3" should appear.
grep -rn ssl_protocols /etc/nginx/nginx.conf /etc/nginx/sites-enabled/ /etc/letsencrypt/options-ssl-nginx.conf
# After editing nginx.conf: test the configuration, then load it.
sudo nginx -t
sudo systemctl reload nginx
