#!/bin/bash
# Writes a hardened stack; secrets come from .env
mkdir -p ~/.desterlib && cd ~/.desterlib || exit 1
cat > docker-compose.yml <<'EOF'
services:
  postgres:
    image: postgres:15-alpine
    restart: unless-stopped
    environment:
      POSTGRES_USER: ${POSTGRES_USER:?set POSTGRES_USER in .env}
      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD in .env}
      POSTGRES_DB: desterlib_prod
    volumes:
      - pgdata:/var/lib/postgresql/data
  api:
    image: desterlib/api:0.2.0
    ports:
      - "127.0.0.1:3001:3001"
    volumes:
      - /srv/media:/media:ro
volumes:
  pgdata:
EOF
docker compose config --quiet && docker compose up -d
