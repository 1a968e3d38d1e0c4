#!/bin/bash
# Nextcloud + MariaDB written out by a setup script (as in many VPS guides)
mkdir -p ~/nextcloud && cd ~/nextcloud || exit 1
cat > docker-compose.yml <<'EOF'
services:
  db:
    image: mariadb:10.11
    restart: always
    environment:
      - MYSQL_ROOT_PASSWORD=nextcloud  # <- SG110
      - MYSQL_DATABASE=nextcloud
      - MYSQL_USER=nextcloud
    ports:
      - "3306:3306"  # <- SG101
  app:
    image: nextcloud:29
    ports:
      - "8080:80"
EOF
docker compose up -d
