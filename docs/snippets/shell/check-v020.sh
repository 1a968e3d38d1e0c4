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
# 3. Which database password does the stack use? This prints it on your
#    screen: look, but do not paste the output anywhere.
docker compose config | grep -E 'POSTGRES_PASSWORD|DATABASE_URL'
# --8<-- [end:password]
