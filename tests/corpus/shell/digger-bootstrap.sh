#!/bin/bash
# diggerhq/digger backend/scripts/curl_bootstrap.sh: writes the Compose file and .env with echo
echo 'services:
  postgres:
    image: postgres:alpine
    ports:
      - "5432:5432"  # <- SG101
    environment:
      - POSTGRES_PASSWORD=root  # <- SG110
  web:
    image: "registry.digger.dev/diggerhq/digger_backend:latest"
    env_file:
      - .env
    ports:
      - "3000:3000"' > docker-compose.yml && \
echo "GITHUB_ORG=${GITHUB_ORG:-your_github_org}
HOSTNAME=http://DIGGER_HOSTNAME
BEARER_AUTH_TOKEN=$(openssl rand -base64 12)  # <- SG307
DATABASE_URL=postgres://postgres:root@postgres:5432/postgres?sslmode=disable  # <- SG205
HTTP_BASIC_AUTH=1
HTTP_BASIC_AUTH_USERNAME=myorg
HTTP_BASIC_AUTH_PASSWORD=$(openssl rand -base64 12)  # <- SG307
ALLOW_DIRTY=false" > .env && \
docker compose up
