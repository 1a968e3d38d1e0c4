cd ~/.desterlib
# --8<-- [start:env]
# .env holds the database password: readable and writable by you only.
chmod 600 .env
# --8<-- [end:env]
# --8<-- [start:compose]
# The Compose file holds no secrets, but only you may change it:
# whoever edits it decides what the containers can reach.
chmod 644 docker-compose.yml
# --8<-- [end:compose]
# --8<-- [start:check]
ls -l .env docker-compose.yml
# --8<-- [end:check]
