cd ~/.desterlib
# Back up the database first (see "Backup and restore").
# Fetch newer base images (PostgreSQL), then rebuild and restart what changed.
docker compose pull
docker compose up -d --build
# Remove old, now unused images to free disk space.
docker image prune
