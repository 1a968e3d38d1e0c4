#!/bin/sh
docker run -d --name chrome \
  --security-opt seccomp=unconfined \
  -p 127.0.0.1:9222:9222 \
  zenika/alpine-chrome:latest
docker run --rm -it --pid=host --uts=host --cgroupns=host alpine:3.20 sh
docker run --rm --device /dev/sda:/dev/sda ghcr.io/example/smart:1
