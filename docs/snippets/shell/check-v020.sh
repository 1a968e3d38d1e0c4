cd ~/.desterlib
# --8<-- [start:port]
# 1. Does Docker publish the database port? Any output at all means yes.
docker port desterlib-postgres
# 2. Is something listening on port 5432, and on which address? (Linux)
sudo ss -tlnp | grep ':5432'
# 2. Same question on macOS:
# lsof -nP -iTCP:5432 -sTCP:LISTEN
# --8<-- [end:port]
# --8<-- [start:password]
cd ~/.desterlib
# 3. Which account does the stack use, and is its password the default? This
#    prints the password's length, never the password itself.
docker exec desterlib-postgres sh -c '
  echo "user $POSTGRES_USER, database $POSTGRES_DB, password length ${#POSTGRES_PASSWORD}"
  [ "$POSTGRES_PASSWORD" != postgres ] || echo "DEFAULT PASSWORD postgres: change it"'
# 4. Who may read the files that hold the password? Only "-rw-------" is right.
ls -l docker-compose.yml .env apps/api/.env 2>/dev/null
# --8<-- [end:password]
