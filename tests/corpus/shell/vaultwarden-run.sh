#!/bin/sh
# docker run from the Vaultwarden wiki "Enabling admin page", with the SMTP password people add
export SMTP_PASSWORD='Tr0ub4dor&3'  # <- SG204
docker run -d --name vaultwarden -e ADMIN_TOKEN=some_random_token_as_per_above_explanation -e SMTP_PASSWORD -v /vw-data/:/data/ -p 127.0.0.1:8080:80 vaultwarden/server:latest  # <- SG109
