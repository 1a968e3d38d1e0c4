cd ~/.desterlib
# Build the API image and start both containers in the background.
docker compose up -d --build
# Both services should reach "healthy" within a minute or two.
docker compose ps
# The API answers on port 3001.
curl -fsS http://localhost:3001/health
