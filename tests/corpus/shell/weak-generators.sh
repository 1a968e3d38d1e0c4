#!/usr/bin/env bash
# Password one-liners as they circulate in forum answers
openssl rand -hex 8  # <- SG307
head -c 12 /dev/urandom | base64  # <- SG307
tr -dc 'A-Za-z0-9' </dev/urandom | head -c 12; echo  # <- SG307
pwgen 8 1  # <- SG307
POSTGRES_PASSWORD=$RANDOM  # <- SG307
SECRET_KEY=$(date | sha256sum | cut -c1-32)  # <- SG307
JWT_SECRET=$(uuidgen)  # <- SG307
ADMIN_PASSWORD=$(openssl rand -base64 12 | tr -d '/+=')  # <- SG307
export POSTGRES_PASSWORD SECRET_KEY JWT_SECRET ADMIN_PASSWORD
