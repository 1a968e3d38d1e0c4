# --8<-- [start:host]
# Every port Docker publishes and on which address: 0.0.0.0 or [::] means
# every interface, 127.0.0.1 means this machine only.
docker ps --format 'table {{.Names}}\t{{.Ports}}'
# Every listening TCP port on the host and the program behind it (Linux).
sudo ss -tlnp
# --8<-- [end:host]
# --8<-- [start:remote]
# Run this on ANOTHER machine, with your server's address: "refused" or a
# timeout for 5432 is what you want to see.
nc -zv -w 3 192.168.1.10 5432
nc -zv -w 3 192.168.1.10 3001
# --8<-- [end:remote]
