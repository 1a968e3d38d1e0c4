# Count the titles (films and series) the database knows; run it before the backup and after the restore.
docker exec desterlib-postgres sh -c 'psql -U "$POSTGRES_USER" -d "$POSTGRES_DB" -Atc "SELECT count(*) FROM \"Media\""'
