# --8<-- [start:nginx]
# Requests refused with 429 "Too many requests", counted per client address.
sudo awk '$9 == 429 {print $1}' /var/log/nginx/desterlib.access.log | sort | uniq -c | sort -rn | head
# --8<-- [end:nginx]
# --8<-- [start:caddy]
# How many requests Caddy's access log recorded with status 429.
sudo grep -c '"status":429' /var/log/caddy/desterlib-access.log
# --8<-- [end:caddy]
# --8<-- [start:api]
# Any mention of rate limiting in the API's log over the last day.
docker compose logs --since 24h api | grep -i 'too many requests'
# --8<-- [end:api]
