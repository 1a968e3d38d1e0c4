# Who may use the Docker socket: root and the docker group only.
ls -l /var/run/docker.sock
# Whether the Docker API is served on a TCP port (by dockerd, or by systemd for it): this must print nothing.
sudo ss -ltnp | grep -E '"dockerd"|:237[56] '
