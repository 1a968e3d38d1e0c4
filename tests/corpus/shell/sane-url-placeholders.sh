#!/bin/bash
# Connection strings that keep the password out of the text
pg_dump "postgresql://desterlib:${POSTGRES_PASSWORD}@127.0.0.1:5432/desterlib_prod" > backup.sql
export DATABASE_URL="postgresql://app:<password>@db:5432/app"
psql "postgres://USER:PASSWORD@localhost/DB" -c 'select 1'
git clone https://github.com/immich-app/immich.git
export MINIO_ROOT_PASSWORD=
read -r -s -p "MinIO password: " MINIO_ROOT_PASSWORD
export MINIO_ROOT_PASSWORD
