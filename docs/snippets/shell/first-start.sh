cd ~/.desterlib
# Build the API image (setup scripts), start both containers in the background
# and wait until both report healthy: a minute or two.
docker compose up -d --build --wait
# Both services should show "Up … (healthy)".
docker compose ps
# The API answers on port 3001.
curl -fsS http://localhost:3001/health
