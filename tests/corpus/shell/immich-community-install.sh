#!/usr/bin/env bash
# Immich one-shot installer, as community forks of immich-app's old install.sh write it
set -o nounset
set -o pipefail

RepoUrl=https://github.com/immich-app/immich/releases/latest/download

create_immich_directory() {
  mkdir -p ./immich-app
  cd ./immich-app || return 1
}

download_files() {
  curl -fsSL "$RepoUrl"/docker-compose.yml -o ./docker-compose.yml
  curl -fsSL "$RepoUrl"/example.env -o ./.env
}

generate_random_password() {
  rand_pass=$(echo "$RANDOM$(date)$RANDOM" | sha256sum | base64 | head -c10)  # <- SG307
  sed -i -e "s/DB_PASSWORD=postgres/DB_PASSWORD=$rand_pass/" ./.env
}

create_immich_directory
download_files
generate_random_password
docker compose up -d
