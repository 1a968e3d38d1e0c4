#!/bin/bash
# Immich .env written by a script instead of downloaded
cd ~/immich-app || exit 1
cat > .env <<EOF
UPLOAD_LOCATION=./library
DB_DATA_LOCATION=./postgres
IMMICH_VERSION=release
DB_PASSWORD=postgres  # <- SG202
DB_USERNAME=postgres
DB_DATABASE_NAME=immich
TZ=$(cat /etc/timezone)
EOF
echo "MYSQL_ALLOW_EMPTY_PASSWORD=yes" >> extra.env  # <- SG202
printf 'REDIS_PASSWORD=redis\n' >> .env  # <- SG202
