#!/usr/bin/env bash
# ~/.bashrc additions from assorted self-hosting write-ups
export OPENAI_API_KEY="sk-proj-8fJd2KqLm3Nz7Xw1Rt5Yv9Bc4Hg6Pa0Qe2Ws"  # <- SG204
export DB_PASS=hunter22  # <- SG204
GITEA__database__PASSWD=gitea  # <- SG204
export GITEA__database__PASSWD
export RESTIC_PASSWORD="correct-horse-battery-staple"  # <- SG204
MINIO_ROOT_PASSWORD=minio123 minio server /data  # <- SG204
export BACKUP_CREDENTIALS='backup:S3cr3tBackup!'  # <- SG204
declare -x LDAP_BIND_PW=ldapadmin  # <- SG204
readonly SMTP_PWD="mail-2024"  # <- SG204
export PORT=3001
export NODE_ENV=production
