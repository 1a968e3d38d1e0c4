# DesterLib main, scripts/setup/windows.ps1 (lines 107-116, 172-185): an empty answer becomes "postgres"
$DB_USER = Read-Host "Database user [postgres]"
if (-not $DB_USER) {
    $DB_USER = "postgres"
}

$securePassword = Read-Host "Database password [postgres]" -AsSecureString
$DB_PASSWORD = if ($securePassword.Length -eq 0) { "postgres" } else {  # <- SG204
    $BSTR = [System.Runtime.InteropServices.Marshal]::SecureStringToBSTR($securePassword)
    [System.Runtime.InteropServices.Marshal]::PtrToStringAuto($BSTR)
}

$envContent = @"
DATABASE_URL=postgresql://${DB_USER}:${DB_PASSWORD}@postgres:5432/${DB_NAME}?schema=public
NODE_ENV=production
"@
$envPath = Join-Path "apps" "api"
$envContent | Out-File -FilePath (Join-Path $envPath ".env") -Encoding utf8 -NoNewline
