cd ~/.desterlib
# Recreate the containers with the edited file (the data volume is kept) and
# wait until both report healthy.
docker compose up -d --wait
# No output here means the database port is no longer published.
docker port desterlib-postgres
# Both containers "Up … (healthy)", and the API answers.
docker compose ps
curl -fsS http://localhost:3001/health
