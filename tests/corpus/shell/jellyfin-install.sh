#!/bin/bash
# Jellyfin's Debian/Ubuntu one-liner, then the usual checks
curl https://repo.jellyfin.org/install-debuntu.sh | sudo bash  # <- SG303
sudo systemctl status jellyfin --no-pager
wget -qO- https://repo.jellyfin.org/install-debuntu.sh | sudo -E bash -  # <- SG303
