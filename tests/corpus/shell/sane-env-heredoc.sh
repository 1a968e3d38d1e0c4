#!/bin/bash
# .env from an unquoted heredoc: the shell fills in the values
umask 077
DB_PASSWORD="$(openssl rand -hex 32)"
cat > .env <<EOF
DB_USERNAME=immich
DB_PASSWORD=${DB_PASSWORD}
JWT_SECRET=$(openssl rand -hex 32)
UPLOAD_LOCATION=/srv/photos
EOF
unset DB_PASSWORD
