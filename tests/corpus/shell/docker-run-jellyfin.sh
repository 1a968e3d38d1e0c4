#!/bin/bash
# Jellyfin docs: docker run with hardware acceleration.
docker run -d \
 --name jellyfin \
 --user 1000:1000 \
 --device /dev/dri/renderD128:/dev/dri/renderD128 \
 --publish 8096:8096 \
 --volume jellyfin-config:/config \
 --volume jellyfin-cache:/cache \
 --mount type=bind,source=/srv/media,target=/media,readonly \
 --restart=unless-stopped \
 jellyfin/jellyfin
