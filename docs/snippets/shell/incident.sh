cd ~/.desterlib
# --8<-- [start:stop]
# Cut access: stop the API. The database keeps running for the investigation.
docker compose stop api
# --8<-- [end:stop]
# --8<-- [start:evidence]
# Keep a private copy of all logs before anything is restarted or removed.
(umask 077 && docker compose logs --no-color --timestamps > "incident-$(date +%Y-%m-%d).log")
# --8<-- [end:evidence]
# --8<-- [start:review]
# Failed logins and other errors in the database's log.
docker compose logs --no-color postgres | grep -iE 'authentication failed|FATAL|ERROR'
# Database accounts: anything you did not create is a sign of intrusion.
docker exec desterlib-postgres sh -c 'psql -U "$POSTGRES_USER" -d "$POSTGRES_DB" -c "\du"'
# --8<-- [end:review]
# --8<-- [start:rebuild]
# DESTRUCTIVE: removes the containers AND the database volume.
# Only with a backup from before the incident at hand.
docker compose down -v
docker compose up -d --wait postgres
docker exec -i desterlib-postgres sh -c 'psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d "$POSTGRES_DB"' < desterlib-2025-01-31.sql
docker compose up -d --build
# --8<-- [end:rebuild]
