# Secrets generated with enough randomness, or asked for
$bytes = [byte[]]::new(32)
[Security.Cryptography.RandomNumberGenerator]::Fill($bytes)
$secret = [Convert]::ToHexString($bytes)
$env:DB_PASSWORD = $secret
$env:SMTP_PASSWORD = Read-Host -Prompt "SMTP password" -MaskInput
$cred = Get-Credential -UserName admin -Message "Admin account"
Set-Content -Path .env -Value "POSTGRES_PASSWORD=$secret"
$runId = [guid]::NewGuid().ToString()
$delay = Get-Random -Minimum 1 -Maximum 10
