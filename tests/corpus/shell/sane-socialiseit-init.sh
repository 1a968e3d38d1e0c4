#!/bin/sh
# MerlinStacks/socaliseit docker-init.sh: secrets generated on first boot
SECRETS_FILE="/secrets/.env"
mkdir -p /secrets
if [ -f "$SECRETS_FILE" ]; then
  echo "[Init] Secrets already exist at $SECRETS_FILE, skipping generation."
  exit 0
fi
AUTH_SECRET=$(head -c 32 /dev/urandom | base64)
ENCRYPTION_KEY=$(head -c 32 /dev/urandom | base64)
cat > "$SECRETS_FILE" <<EOF
AUTH_SECRET=${AUTH_SECRET}
ENCRYPTION_KEY=${ENCRYPTION_KEY}
EOF
chmod 600 "$SECRETS_FILE"
