# Caddy from the distribution's own packages (Debian 12, Ubuntu 24.04 and later).
sudo apt update
sudo apt install caddy
