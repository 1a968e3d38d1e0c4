# --8<-- [start:evidence]
# A private folder for the evidence, outside ~/.desterlib.
mkdir -p ~/desterlib-incident
chmod 700 ~/desterlib-incident
cd ~/.desterlib
# Everything below is written readable by you only (umask 077).
(
  umask 077
  # Both containers' logs, with timestamps (gone once a container is recreated).
  docker compose logs --no-color --timestamps > ~/desterlib-incident/compose.log
  # The API's own log files: anyone can empty combined.log with DELETE /api/v1/logs.
  docker cp desterlib-api:/app/apps/api/logs ~/desterlib-incident/api-logs
  # The database as it is now, and its accounts.
  docker exec desterlib-postgres sh -c 'pg_dump --no-owner --no-privileges -U "$POSTGRES_USER" -d "$POSTGRES_DB"' > ~/desterlib-incident/database.sql
  docker exec desterlib-postgres sh -c 'psql -U "$POSTGRES_USER" -d "$POSTGRES_DB" -c "\du"' > ~/desterlib-incident/roles.txt
  # How the containers were configured (this includes the database password).
  docker inspect desterlib-api desterlib-postgres > ~/desterlib-incident/containers.json
)
chmod -R go-rwx ~/desterlib-incident
ls -lR ~/desterlib-incident
# --8<-- [end:evidence]
# --8<-- [start:stop]
cd ~/.desterlib
# Cut access: stop both containers. Your data stays in the postgres_data volume.
docker compose stop
# Check: both show "Exited".
docker compose ps -a
# --8<-- [end:stop]
# --8<-- [start:review]
# Failed logins and other errors in the saved database log.
grep -iE 'authentication failed|FATAL|ERROR' ~/desterlib-incident/compose.log
# Database accounts at the time: anything you did not create is a sign of intrusion.
cat ~/desterlib-incident/roles.txt
# When the settings were changed or the log file emptied: the API logs "Settings
# updated" and "Logs cleared", with the time but not who (it logs requests only at
# debug level; the proxy's access log shows who). compose.log keeps these lines even
# if the log file was emptied.
grep -E 'Settings updated|Logs cleared' ~/desterlib-incident/compose.log ~/desterlib-incident/api-logs/combined.log
# --8<-- [end:review]
# --8<-- [start:images]
cd ~/.desterlib
# Secrets baked into the API image: files a build copied in from the install
# folder. A fresh container of the image, not the running one, is searched
# (dependencies and DesterLib's own database migrations, *.sql, are skipped).
docker compose run --rm --no-deps --entrypoint sh api -c 'find /app \( -name node_modules -o -path /app/apps/api/prisma/migrations \) -prune -o \( -name "*.sql" -o -name "*.gpg" -o -name "*.log" -o -name ".env" -o -name docker-compose.yml \) -print'
# --8<-- [end:images]
# --8<-- [start:rebuild]
cd ~/.desterlib
# DESTRUCTIVE: removes the containers AND the database volume.
# Only with a backup from before the incident at hand.
docker compose down -v
# A new, empty database, and the API's container created but not started
# (the restore procedure starts it once the data is back).
docker compose up -d --wait postgres
docker compose create api
# --8<-- [end:rebuild]
