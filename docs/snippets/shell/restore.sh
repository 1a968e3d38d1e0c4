# snippetguard: proof[backup-restore]
cd ~/.desterlib
# The dump to restore: put your file's name here.
BACKUP=~/desterlib-backups/desterlib-2025-01-31.sql
# 1. Stop the API, so that nothing writes while the data is replaced.
docker compose stop api
# 2. Replace the database with an empty one, with the name and owner your
#    Compose file gives it (both are read inside the container).
docker exec desterlib-postgres sh -c 'dropdb -U "$POSTGRES_USER" --if-exists --force "$POSTGRES_DB" && createdb -U "$POSTGRES_USER" "$POSTGRES_DB"'
# 3. Load the dump. -i passes the file in (never -t); ON_ERROR_STOP=1 makes
#    psql stop at the first error instead of carrying on half-restored.
# 4. Only if that worked (no error printed), start the API again.
docker exec -i desterlib-postgres sh -c 'psql -q -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d "$POSTGRES_DB"' < "$BACKUP" \
  && docker compose start api
