# snippetguard: proof[db-password-rotation]
# Works for both installers: the npm CLI (password in docker-compose.yml and
# .env) and the setup scripts (docker-compose.yml and apps/api/.env).
# Run every step in the same terminal: steps share shell variables.
# --8<-- [start:old]
cd ~/.desterlib
# 1. Keep the current password in a variable (nothing is printed): step 6
#    uses it to check that it no longer works.
OLD_PASSWORD="$(docker exec desterlib-postgres printenv POSTGRES_PASSWORD)"
export OLD_PASSWORD
# --8<-- [end:old]
# --8<-- [start:generate]
# 2. Generate the new one: 64 hexadecimal characters, safe inside a URL.
NEW_PASSWORD="$(openssl rand -hex 32)"
export NEW_PASSWORD
# --8<-- [end:generate]
# --8<-- [start:alter]
# 3. Change it inside PostgreSQL. psql takes the value from its environment
#    (\getenv), so it never appears on a command line or in a history file.
[ "${#NEW_PASSWORD}" -eq 64 ] && printf '%s\n' '\getenv new_password NEW_PASSWORD' "ALTER ROLE CURRENT_USER PASSWORD :'new_password';" \
  | docker exec -i -e NEW_PASSWORD desterlib-postgres sh -c 'psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d "$POSTGRES_DB"'
# --8<-- [end:alter]
# --8<-- [start:files]
cd ~/.desterlib
# 4. Put the new value into every copy: POSTGRES_PASSWORD lines and the
#    password inside each DATABASE_URL. Each file is rewritten readable by
#    you only (mode 600). awk refuses to run if a variable is missing.
for f in docker-compose.yml .env apps/api/.env; do
  [ -f "$f" ] || continue
  (umask 077 && awk '
    BEGIN { old = ENVIRON["OLD_PASSWORD"]; new = ENVIRON["NEW_PASSWORD"]
            if (old == "" || old == new || length(new) != 64 || new ~ /[^0-9a-f]/) {
              print "OLD_PASSWORD or NEW_PASSWORD is not set: start again at step 1" > "/dev/stderr"; exit 1 } }
    /^[ \t]*POSTGRES_PASSWORD:[ \t]*[^ \t$]/ { sub(/POSTGRES_PASSWORD:.*/, "POSTGRES_PASSWORD: \"" new "\"") }
    /^POSTGRES_PASSWORD=/ { $0 = "POSTGRES_PASSWORD=" new }
    { out = ""; rest = $0
      while ((i = index(rest, ":" old "@")) > 0) { out = out substr(rest, 1, i) new "@"; rest = substr(rest, i + length(old) + 2) }
      print out rest }
  ' "$f" > "$f.new") && mv "$f.new" "$f" || rm -f "$f.new"
done
# --8<-- [end:files]
# --8<-- [start:recreate]
cd ~/.desterlib
# 5. Recreate both containers so that they read the new value, and wait
#    until they report healthy (the API is healthy only once it has logged in).
docker compose up -d --force-recreate --wait
# --8<-- [end:recreate]
# --8<-- [start:verify]
cd ~/.desterlib
# 6. Check over the network, the way the API connects. The old password
#    must be refused, the new one accepted (it prints your database user).
PGPASSWORD="$OLD_PASSWORD" docker exec -e PGPASSWORD desterlib-postgres sh -c 'psql -h postgres -U "$POSTGRES_USER" -d "$POSTGRES_DB" -tAc "select current_user"'
PGPASSWORD="$NEW_PASSWORD" docker exec -e PGPASSWORD desterlib-postgres sh -c 'psql -h postgres -U "$POSTGRES_USER" -d "$POSTGRES_DB" -tAc "select current_user"'
# How many copies of the new value each file holds, and where:
grep -rcF --include=docker-compose.yml --include=.env -e "$NEW_PASSWORD" .
# --8<-- [end:verify]
# --8<-- [start:forget]
# 7. Forget both values: from now on the password lives only in those files.
unset OLD_PASSWORD NEW_PASSWORD
# --8<-- [end:forget]
