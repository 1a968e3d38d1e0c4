# snippetguard: proof[reverse-proxy-nginx]
# snippetguard: proof[reverse-proxy-caddy]
# --8<-- [start:nginx]
# Requests refused with 429 "Too Many Requests", counted per visitor address.
sudo awk '$9 == 429 {print $1}' /var/log/nginx/desterlib.access.log | sort | uniq -c | sort -rn | head
# --8<-- [end:nginx]
# --8<-- [start:caddy]
# Requests answered with 429, counted per visitor address (Caddy's JSON log).
sudo grep '"status":429' /var/log/caddy/desterlib-access.log | grep -o '"remote_ip":"[^"]*"' | sort | uniq -c | sort -rn | head
# --8<-- [end:caddy]
