# snippetguard: proof[file-permissions]
# --8<-- [start:env]
cd ~/.desterlib
# The settings file holds the database password: readable by you only. The
# npm CLI writes .env, the setup scripts write apps/api/.env.
for f in .env apps/api/.env; do [ -f "$f" ] && chmod 600 "$f"; done
# --8<-- [end:env]
# --8<-- [start:compose]
# Both installers write the password into the Compose file as well.
chmod 600 docker-compose.yml
# Nobody else may even list the install folder.
chmod 700 ~/.desterlib
# --8<-- [end:compose]
# --8<-- [start:check]
cd ~/.desterlib
ls -ld ~/.desterlib
ls -l docker-compose.yml .env apps/api/.env 2>/dev/null
# --8<-- [end:check]
