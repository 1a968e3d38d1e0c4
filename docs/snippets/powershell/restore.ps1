# Windows. The dump to restore: put your file's name here.
Set-Location (Join-Path $env:USERPROFILE '.desterlib')
$Backup = Join-Path $env:USERPROFILE 'desterlib-backups\desterlib-2025-01-31.sql'
docker compose stop api
docker exec desterlib-postgres sh -c 'dropdb -U $POSTGRES_USER --if-exists --force $POSTGRES_DB && createdb -U $POSTGRES_USER $POSTGRES_DB'
docker cp $Backup desterlib-postgres:/tmp/desterlib-restore.sql
docker exec desterlib-postgres sh -c 'psql -q -v ON_ERROR_STOP=1 -U $POSTGRES_USER -d $POSTGRES_DB -f /tmp/desterlib-restore.sql'
if ($LASTEXITCODE -eq 0) { docker compose start api } else { 'Restore failed: the API stays stopped' }
docker exec desterlib-postgres rm /tmp/desterlib-restore.sql
