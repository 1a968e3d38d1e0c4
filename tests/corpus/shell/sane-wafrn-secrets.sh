#!/bin/bash
# wafrn install/env_secret_setup.sh (tangled.org/jbc.lol/wafrn)
export JWT_SECRET="$(openssl rand -base64 64 | tr -d '\n')"
export POSTGRES_PASSWORD="$(openssl rand -base64 24 | tr '+/' '_-')"
export PDS_JWT_SECRET="$(openssl rand --hex 16)"
export PDS_ADMIN_PASSWORD="$(openssl rand -base64 24 | tr '+/' '_-')"
if [ -z "${ADMIN_PASSWORD}" ]; then
  export ADMIN_PASSWORD="$(openssl rand -base64 24 | tr '+/' '_-')"
fi
cp .env.example .env
