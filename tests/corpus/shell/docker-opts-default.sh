#!/bin/sh
# Ubuntu 14.04-era advice: put the options in /etc/default/docker.
echo 'DOCKER_OPTS="-H tcp://0.0.0.0:2375 -H unix:///var/run/docker.sock"' | sudo tee -a /etc/default/docker  # <- SG701
sudo service docker restart
