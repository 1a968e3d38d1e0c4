#!/usr/bin/env bash
# Ways installers hide `curl | sh`, collected from real READMEs
set -euo pipefail
installer=$(curl -fsSL https://get.example-tool.dev/install.sh)
eval "$installer"  # <- SG303
script="$(wget -qO- https://raw.githubusercontent.com/example/tool/main/setup.sh)"
body=$script
bash -c "$body"  # <- SG303
. <(wget -qO- https://raw.githubusercontent.com/example/tool/main/env.sh)  # <- SG303
curl -fsSL https://example.org/bootstrap.sh | xargs -0 sh -c  # <- SG303
sh -c "$(curl -fsSL https://raw.githubusercontent.com/ohmyzsh/ohmyzsh/master/tools/install.sh)"  # <- SG303
echo "$installer" | sudo bash  # <- SG303
bash <<< "$script"  # <- SG303
