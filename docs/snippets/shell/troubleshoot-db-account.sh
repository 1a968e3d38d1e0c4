# --8<-- [start:names]
# The account and database the postgres container was given (no password is printed).
docker exec desterlib-postgres sh -c 'echo "user=$POSTGRES_USER database=$POSTGRES_DB"'
# --8<-- [end:names]
# --8<-- [start:copies]
# Every place that holds a copy of the password: file, line and name only, never the value.
cd ~/.desterlib
grep -n -o -E 'POSTGRES_PASSWORD|DATABASE_URL' docker-compose.yml .env apps/api/.env 2>/dev/null
# --8<-- [end:copies]
# --8<-- [start:apply]
# Recreate the containers with the corrected files, then read the API's start.
docker compose up -d
docker compose logs --since 5m api | grep -E 'P1000|in sync'
# --8<-- [end:apply]
