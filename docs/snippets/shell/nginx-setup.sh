# --8<-- [start:install]
sudo apt update
sudo apt install nginx certbot
# --8<-- [end:install]
# --8<-- [start:certificate]
# Obtain the certificate through the web root that Debian's and Ubuntu's
# default nginx site already serves on port 80. Certbot remembers the
# method for renewals and reloads nginx after each one.
sudo certbot certonly --webroot -w /var/www/html -d media.example.com --deploy-hook "systemctl reload nginx"
# --8<-- [end:certificate]
# --8<-- [start:enable]
# Enable the site in place of the default one (both claim to be the
# default server), check the configuration, load it.
sudo ln -s /etc/nginx/sites-available/desterlib /etc/nginx/sites-enabled/desterlib
sudo rm /etc/nginx/sites-enabled/default
sudo nginx -t
sudo systemctl reload nginx
# --8<-- [end:enable]
# --8<-- [start:renew]
# Renewal runs on its own (a systemd timer); this proves it will work.
sudo certbot renew --dry-run
# --8<-- [end:renew]
