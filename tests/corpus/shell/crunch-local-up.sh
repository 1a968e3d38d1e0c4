#!/bin/bash
# kjuulh/crunch scripts/local_up.sh: Compose text kept in a variable, then a local .env
set -e
cat <<EOF > local.env
DATABASE_URL=postgres://cuddle:cuddle@localhost:5432/cuddle  # <- SG205
EOF
docker compose -p cuddle_local up -d --remove-orphans
