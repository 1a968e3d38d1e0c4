cd ~/.desterlib
# First make a backup (see "Backup and restore"): every start of the API
# runs "prisma db push --accept-data-loss" against your database.
if [ -d .git ]; then
  # Setup scripts: the API is built from this git clone. Put the installer's
  # edits aside, fetch the new code, bring the edits back (also if the pull
  # fails), and make the file private again (git rewrites it readable by all).
  git stash && { git pull --ff-only; git stash pop; }
  chmod 600 docker-compose.yml
  # Rebuild on a freshly pulled base image: "docker compose pull" skips a
  # service that is built, and "up" would reuse the old image.
  docker compose build --pull api
  docker compose pull postgres
else
  # npm CLI: both services are images from Docker Hub.
  docker compose pull
fi
# Recreate what changed and wait until both containers are healthy.
docker compose up -d --wait
# Check: both "Up … (healthy)"; the images' creation times are recent.
docker compose ps
docker compose images
# Once all is well, remove old, unused images to free disk space.
docker image prune
