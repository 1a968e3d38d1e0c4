sudo chmod 777 /run/docker.sock  # <- SG703
