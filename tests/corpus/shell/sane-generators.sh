#!/usr/bin/env bash
# Secret generators with enough randomness, and randomness that is no secret
openssl rand -hex 32
openssl rand -base64 32 | tr -d '/+='
head -c 32 /dev/urandom | base64
tr -dc 'A-Za-z0-9' </dev/urandom | head -c 40; echo
pwgen -s 32 1
python3 -c 'import secrets; print(secrets.token_urlsafe(32))'
RUN_ID=$(uuidgen)
sleep $((RANDOM % 10))
BACKUP_NAME="backup-$(date +%F)-$RANDOM.tar.gz"
echo "$RUN_ID $BACKUP_NAME"
