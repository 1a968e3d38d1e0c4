#!/bin/bash
# DesterLib main, scripts/setup/unix.sh (lines 89-123): the reader's empty answer becomes `postgres`
echo -n "Database user [postgres]: "
read DB_USER
DB_USER=${DB_USER:-postgres}

echo -n "Database password [postgres]: "
read -s DB_PASSWORD
DB_PASSWORD=${DB_PASSWORD:-postgres}  # <- SG204
echo ""

echo -n "Database name [desterlib_prod]: "
read DB_NAME
DB_NAME=${DB_NAME:-desterlib_prod}

cat > apps/api/.env << EOF
DATABASE_URL=postgresql://${DB_USER}:${DB_PASSWORD}@postgres:5432/${DB_NAME}?schema=public
NODE_ENV=production
EOF
