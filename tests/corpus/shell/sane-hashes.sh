#!/bin/bash
# Hashes are not plaintext secrets
export ADMIN_PASSWORD_HASH='$2b$12$C6UzMDM.H6dfI/f/IKcEeO5x9gS9m0dMx7dA8J5bYcR1Wq5Lk2m3e'
docker run -d --name vaultwarden -e ADMIN_TOKEN='$argon2id$v=19$m=65540,t=3,p=4$bXlzYWx0c2FsdA$Q2hhbmdlZEhhc2hWYWx1ZUZvckRvY3M' -p 127.0.0.1:8080:80 vaultwarden/server:1.32.0
DOVEADM_PASSWORD='{SHA512-CRYPT}$6$rounds=5000$saltsalt$4Zs0pZ0nN5vJ0Y1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8s9T0u1V2w3X4y5Z6a7B8c9D0e1F2g3H4i5J6'
export DOVEADM_PASSWORD
htpasswd -nbB admin "$ADMIN_PASS"
