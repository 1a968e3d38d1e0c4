# --8<-- [start:host]
# Every port Docker publishes and on which address: 0.0.0.0 and [::] mean
# every IPv4 and IPv6 interface, 127.0.0.1 means this machine only.
docker ps --format 'table {{.Names}}\t{{.Ports}}'
# Every listening TCP port on the host and the program behind it (Linux).
sudo ss -tlnp
# Does the server have a global IPv6 address? Then [::]:3001 is reachable
# over IPv6 wherever your router lets IPv6 in.
ip -6 addr show scope global
# --8<-- [end:host]
# --8<-- [start:remote]
# Run this on ANOTHER machine, with your server's address: "refused" or a
# timeout for 5432 is what you want to see.
nc -zv -w 3 192.168.1.10 5432
nc -zv -w 3 192.168.1.10 3001
# The same over IPv6, with the server's global IPv6 address (if it has one).
nc -6 -zv -w 3 2001:db8::10 3001
# --8<-- [end:remote]
