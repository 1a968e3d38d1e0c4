# Enable the LAN entrance next to the main site, check, load.
sudo ln -s /etc/nginx/sites-available/desterlib-lan /etc/nginx/sites-enabled/desterlib-lan
sudo nginx -t
sudo systemctl reload nginx
# nginx now listens on the home-network address, Docker on loopback:
# expect 192.168.1.10:3001 (nginx), and 127.0.0.1:3001 (docker-proxy) unless
# Docker runs without its userland proxy.
sudo ss -tlnp 'sport = :3001'
