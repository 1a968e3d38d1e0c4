# --8<-- [start:apply]
cd ~/.desterlib
# Read both files together: Compose prints "postgres" and "api", or stops at a mistake in the override.
docker compose config --services
docker compose up -d
docker compose ps
# --8<-- [end:apply]
# --8<-- [start:inspect]
# What Docker applied to each container.
docker inspect --format '{{.Name}} read_only={{.HostConfig.ReadonlyRootfs}} security_opt={{.HostConfig.SecurityOpt}} cap_drop={{.HostConfig.CapDrop}} cap_add={{.HostConfig.CapAdd}} pids={{.HostConfig.PidsLimit}} memory={{.HostConfig.Memory}}' desterlib-api desterlib-postgres
# --8<-- [end:inspect]
# --8<-- [start:kernel]
# What the kernel enforces on each container's main process.
docker exec desterlib-api grep -E '^(CapEff|CapBnd|NoNewPrivs)' /proc/1/status
docker exec desterlib-postgres grep -E '^(CapEff|CapBnd|NoNewPrivs)' /proc/1/status
# The image's files cannot be changed; the log folder can.
docker exec desterlib-api touch /app/probe
docker exec desterlib-api ls /app/apps/api/logs
# --8<-- [end:kernel]
