# A database backup from PowerShell. cmd's ">" writes docker's output byte for byte;
# Windows PowerShell 5.1's ">" would re-encode it as UTF-16, which psql cannot read back.
Set-Location (Join-Path $env:USERPROFILE '.desterlib')
cmd /c 'docker exec desterlib-postgres sh -c "pg_dump -U $POSTGRES_USER -d $POSTGRES_DB --clean --if-exists" > desterlib-backup.sql'
Get-Content desterlib-backup.sql -TotalCount 3
