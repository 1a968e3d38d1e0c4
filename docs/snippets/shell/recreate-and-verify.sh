cd ~/.desterlib
# Recreate the containers with the new settings (the data volume is kept).
docker compose up -d
# No output here means the database port is no longer published.
docker port desterlib-postgres
# The API still reaches the database with the new password.
docker compose ps
curl -fsS http://localhost:3001/health
