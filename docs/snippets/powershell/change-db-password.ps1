# Windows, both installers. Run every step in the same PowerShell window.
Set-Location (Join-Path $env:USERPROFILE '.desterlib')
# 1. Keep the current password in a variable (nothing is printed).
$OldPassword = docker exec desterlib-postgres printenv POSTGRES_PASSWORD
# 2. Generate the new one: 32 random bytes as 64 hexadecimal characters.
$bytes = New-Object byte[] 32
[System.Security.Cryptography.RandomNumberGenerator]::Create().GetBytes($bytes)
$env:NEW_PASSWORD = -join ($bytes | ForEach-Object { $_.ToString('x2') })
# 3. Change it inside PostgreSQL; psql reads the value from its environment.
"\getenv new_password NEW_PASSWORD`nALTER ROLE CURRENT_USER PASSWORD :'new_password';" |
  docker exec -i -e NEW_PASSWORD desterlib-postgres sh -c 'psql -v ON_ERROR_STOP=1 -U $POSTGRES_USER -d $POSTGRES_DB'
# 4. Put the new value into every copy (POSTGRES_PASSWORD lines, DATABASE_URL).
& {
  if (-not $OldPassword -or $env:NEW_PASSWORD.Length -ne 64) { Write-Error 'Start again at step 1'; return }
  foreach ($f in 'docker-compose.yml', '.env', 'apps\api\.env') {
    if (-not (Test-Path $f)) { continue }
    $path = (Resolve-Path $f).Path
    $text = [System.IO.File]::ReadAllText($path)
    $text = $text.Replace(":$OldPassword@", ":$env:NEW_PASSWORD@")
    $text = [regex]::Replace($text, '(?m)^(\s*POSTGRES_PASSWORD:\s*)[^\s$].*$', { param($m) $m.Groups[1].Value + '"' + $env:NEW_PASSWORD + '"' })
    $text = [regex]::Replace($text, '(?m)^POSTGRES_PASSWORD=.*$', { param($m) 'POSTGRES_PASSWORD=' + $env:NEW_PASSWORD })
    [System.IO.File]::WriteAllText($path, $text)
  }
}
# 5. Recreate both containers and wait until they report healthy.
docker compose up -d --force-recreate --wait
# 6. Check: the old password is refused, the new one prints your user name.
$env:PGPASSWORD = $OldPassword
docker exec -e PGPASSWORD desterlib-postgres sh -c 'psql -h postgres -U $POSTGRES_USER -d $POSTGRES_DB -tAc ''select current_user'''
$env:PGPASSWORD = $env:NEW_PASSWORD
docker exec -e PGPASSWORD desterlib-postgres sh -c 'psql -h postgres -U $POSTGRES_USER -d $POSTGRES_DB -tAc ''select current_user'''
# 7. Forget both values.
Remove-Item Env:PGPASSWORD, Env:NEW_PASSWORD
Remove-Variable OldPassword
