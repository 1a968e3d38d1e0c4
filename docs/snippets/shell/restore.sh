cd ~/.desterlib
# Stop the API so nothing writes while the data is replaced.
docker compose stop api
# Feed the dump into psql inside the database container; stop at the first error.
docker exec -i desterlib-postgres sh -c 'psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d "$POSTGRES_DB"' < desterlib-2025-01-31.sql
docker compose start api
