#!/usr/bin/env bash
# Proxmox VE helper-script style: the container script sources a shared function file
source <(curl -fsSL https://raw.githubusercontent.com/community-scripts/ProxmoxVE/main/misc/build.func)  # <- SG303
APP="Vaultwarden"
var_cpu="${var_cpu:-1}"
var_ram="${var_ram:-512}"
echo "Installing $APP with $var_cpu CPU and $var_ram MB"
# and the one-liner the project's README gives for the host:
bash -c "$(curl -fsSL https://raw.githubusercontent.com/community-scripts/ProxmoxVE/main/ct/vaultwarden.sh)"  # <- SG303
