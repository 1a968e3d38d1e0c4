# --8<-- [start:install]
sudo apt update
sudo apt install nginx certbot python3-certbot-nginx
# --8<-- [end:install]
# --8<-- [start:enable]
# Enable the site, check the configuration, load it.
sudo ln -s /etc/nginx/sites-available/desterlib /etc/nginx/sites-enabled/desterlib
sudo nginx -t
sudo systemctl reload nginx
# --8<-- [end:enable]
# --8<-- [start:certbot]
# Certbot obtains a certificate, adds the HTTPS server block to the site
# and sets up automatic renewal.
sudo certbot --nginx -d media.example.com
# Make sure renewal will work when it is due.
sudo certbot renew --dry-run
# --8<-- [end:certbot]
