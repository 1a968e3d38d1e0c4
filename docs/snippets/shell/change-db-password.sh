cd ~/.desterlib
# 1. Generate the new password into a variable of this shell session only
#    (exported, so that the commands below can hand it on).
NEW_PASSWORD="$(openssl rand -base64 32 | tr -d '/+=')"
export NEW_PASSWORD

# 2. Change it inside the running database with ALTER USER. The password
#    reaches psql through the environment (-e NEW_PASSWORD and \getenv), so it
#    never appears on a command line, in shell history or in psql's history.
printf '%s\n' '\getenv new_password NEW_PASSWORD' "ALTER USER CURRENT_USER WITH PASSWORD :'new_password';" \
  | docker exec -i -e NEW_PASSWORD desterlib-postgres sh -c 'psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d "$POSTGRES_DB"'
