# --8<-- [start:who]
# Which container publishes port 3001, and which program listens on it.
docker ps --filter publish=3001 --format '{{.Names}}  {{.Ports}}'
sudo ss -ltnp 'sport = :3001'
# --8<-- [end:who]
# --8<-- [start:published]
# Where Docker publishes each container's ports (run on the server).
docker port desterlib-api
docker port desterlib-postgres
# --8<-- [end:published]
# --8<-- [start:remote]
# From another machine on your network: use your server's address (-w 3: give up after 3 seconds).
nc -zv -w 3 192.168.1.10 3001
nc -zv -w 3 192.168.1.10 5432
# --8<-- [end:remote]
