# How many home-lab notes still install Immich
curl -o- https://raw.githubusercontent.com/immich-app/immich/main/install.sh | bash  # <- SG303
cd immich-app && docker compose ps
