#!/bin/bash
# "Permission denied while trying to connect to the Docker daemon socket" — the wrong fix.
sudo chmod 666 /var/run/docker.sock  # <- SG703
