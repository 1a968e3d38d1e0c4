# Why a container stopped: its last log lines, and whether the kernel stopped it for lack of memory.
cd ~/.desterlib
docker compose logs --tail 30 api postgres
docker inspect --format '{{.Name}} oom_killed={{.State.OOMKilled}} exit={{.State.ExitCode}} restarts={{.RestartCount}}' desterlib-api desterlib-postgres
