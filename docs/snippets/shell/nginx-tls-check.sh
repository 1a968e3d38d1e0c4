# Where TLS versions are set: nginx's main file, Certbot's options (only if
# Certbot's nginx plugin wrote them), and every enabled site. -R, because the
# enabled sites are symbolic links, which -r skips; -s hides missing files.
grep -Rns ssl_protocols /etc/nginx/nginx.conf /etc/nginx/sites-enabled/ /etc/letsencrypt/options-ssl-nginx.conf
# After editing nginx.conf: test the configuration, then load it.
sudo nginx -t
sudo systemctl reload nginx
