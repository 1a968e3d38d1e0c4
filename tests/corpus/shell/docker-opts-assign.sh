# Contents of /etc/default/docker
DOCKER_OPTS="--dns 8.8.8.8 -H tcp://0.0.0.0:4243 -H unix:///var/run/docker.sock"  # <- SG701
