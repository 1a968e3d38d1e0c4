# Windows: a backup folder in your profile (private to you), outside .desterlib.
$Backups = Join-Path $env:USERPROFILE 'desterlib-backups'
New-Item -ItemType Directory -Force -Path $Backups | Out-Null
$Backup = Join-Path $Backups ('desterlib-{0:yyyy-MM-dd}.sql' -f (Get-Date))
# pg_dump writes the file inside the container and docker cp copies it out
# byte for byte (PowerShell's ">" would re-encode the dump).
docker exec desterlib-postgres sh -c 'pg_dump --no-owner --no-privileges -U $POSTGRES_USER -d $POSTGRES_DB -f /tmp/desterlib-backup.sql'
docker cp desterlib-postgres:/tmp/desterlib-backup.sql $Backup
docker exec desterlib-postgres rm /tmp/desterlib-backup.sql
# Check: the file exists, its size is well above zero, and the end marker is found.
Get-Item $Backup
(Select-String -Path $Backup -Pattern 'PostgreSQL database dump complete' -SimpleMatch).Count
