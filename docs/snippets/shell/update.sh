cd ~/.desterlib
# First make a backup (see "Backup and restore"): every start of the API
# runs "prisma db push --accept-data-loss" against your database.
# --8<-- [start:cli]
# npm CLI install: the API is the image desterlib/api:latest. Fetch newer
# images of both services, then recreate the containers that changed.
docker compose pull
docker compose up -d --wait
# --8<-- [end:cli]
# --8<-- [start:setup]
# Setup-script install: the API is built from this git clone. Put your local
# edits aside, fetch the new code, and bring your edits back.
git stash
git pull --ff-only
git stash pop
# git rewrites the file readable by everyone: make it private again.
chmod 600 docker-compose.yml
# Rebuild the API on a freshly pulled base image (--pull); "docker compose
# pull" alone would skip it. Then fetch PostgreSQL and recreate what changed.
docker compose build --pull api
docker compose pull postgres
docker compose up -d --wait
# --8<-- [end:setup]
# --8<-- [start:check]
# Check: both containers healthy, and the images' creation dates are recent.
docker compose ps
docker compose images
# --8<-- [end:check]
# --8<-- [start:prune]
# Remove old, now unused images to free disk space.
docker image prune
# --8<-- [end:prune]
