# Who may use the Docker socket: root and the docker group only.
ls -l /var/run/docker.sock
# Whether the Docker daemon listens on a TCP port: this must print nothing.
sudo ss -ltnp | grep dockerd
