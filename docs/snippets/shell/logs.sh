cd ~/.desterlib
# Follow the API's log live (Ctrl+C stops following; the API keeps running).
docker compose logs -f api
# The database's log for the last hour.
docker compose logs --since 1h postgres
