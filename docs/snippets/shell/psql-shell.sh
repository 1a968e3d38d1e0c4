# Open a database shell inside the container (type \q to leave).
docker exec -it desterlib-postgres sh -c 'psql -U "$POSTGRES_USER" -d "$POSTGRES_DB"'
