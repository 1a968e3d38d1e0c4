# snippetguard: proof[backup-restore]
# --8<-- [start:backup]
# A folder for backups outside ~/.desterlib (files inside it are copied into
# the API image on the next build), that only you may open.
mkdir -p ~/desterlib-backups
chmod 700 ~/desterlib-backups
BACKUP=~/desterlib-backups/desterlib-$(date +%Y-%m-%d).sql
# Dump the database into a file only you can read (umask 077: mode 600). User
# and database names are read inside the container, so this works whichever
# installer you used. No -t: a terminal would alter the dump.
(umask 077 && docker exec desterlib-postgres sh -c 'pg_dump --no-owner --no-privileges -U "$POSTGRES_USER" -d "$POSTGRES_DB"' > "$BACKUP")
# Check: -rw------- and a size well above zero; pg_dump marks a complete dump
# near its end, so the count printed must be 1.
ls -l "$BACKUP"
grep -c 'PostgreSQL database dump complete' "$BACKUP"
# --8<-- [end:backup]
# --8<-- [start:count]
# How many titles and libraries the database holds. Run it before a backup
# and after a restore: the numbers must match.
docker exec desterlib-postgres sh -c 'psql -U "$POSTGRES_USER" -d "$POSTGRES_DB" -c "select (select count(*) from \"Media\") as titles, (select count(*) from \"Library\") as libraries"'
# --8<-- [end:count]
