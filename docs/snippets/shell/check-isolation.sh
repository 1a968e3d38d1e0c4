# --8<-- [start:settings]
# Privileges and namespaces of both containers.
docker inspect --format '{{.Name}} privileged={{.HostConfig.Privileged}} network={{.HostConfig.NetworkMode}} pid={{.HostConfig.PidMode}} cap_add={{.HostConfig.CapAdd}}' desterlib-api desterlib-postgres
# --8<-- [end:settings]
# --8<-- [start:mounts]
# What each container mounts, and whether it may write there (rw=true).
docker inspect --format '{{.Name}}{{range .Mounts}} {{.Source}}->{{.Destination}} rw={{.RW}}{{end}}' desterlib-api desterlib-postgres
# --8<-- [end:mounts]
