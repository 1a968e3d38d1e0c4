#!/bin/bash
# LAN-only access to the API
sudo ufw default deny incoming
sudo ufw allow from 192.168.1.0/24 to any port 3001 proto tcp
sudo ufw enable
sudo ufw status verbose
