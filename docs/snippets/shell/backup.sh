cd ~/.desterlib
# Dump the database to a dated file that only you can read (umask 077).
# The user and database names are read inside the container, so this works
# whatever you called them. No -t flag: a terminal would alter line endings.
(umask 077 && docker exec desterlib-postgres sh -c 'pg_dump --clean --if-exists -U "$POSTGRES_USER" "$POSTGRES_DB"' > "desterlib-$(date +%Y-%m-%d).sql")
ls -l desterlib-*.sql
