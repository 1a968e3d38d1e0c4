# Are both containers running, and how long have they been up?
docker ps --filter name=desterlib --format 'table {{.Names}}\t{{.Status}}'
# The result of each container's health check: healthy, unhealthy or starting.
docker inspect --format '{{.Name}}: {{.State.Health.Status}}' desterlib-api desterlib-postgres
