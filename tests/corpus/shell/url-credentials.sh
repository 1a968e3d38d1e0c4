#!/bin/bash
# Backups and clones with the password in the URL
pg_dump "postgresql://immich:immich_db_pass@localhost:5432/immich" > immich.sql  # <- SG205
export REDIS_URL=redis://:s3cretRedis@redis:6379/0  # <- SG205
git clone https://deploy:Xk29vLq7RmPz@git.example.com/home/infra.git  # <- SG205
rclone copy ./backup ":webdav,url='https://nextcloud.example.com/remote.php/dav/files/me',user=me:" -v
mysqldump --host=127.0.0.1 nextcloud > nextcloud.sql
