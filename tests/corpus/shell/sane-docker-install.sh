#!/bin/sh
# get.docker.com, downloaded, read, then run (Docker's own advice)
curl -fsSL https://get.docker.com -o get-docker.sh
less get-docker.sh
sudo sh ./get-docker.sh
sudo usermod -aG docker "$USER"
