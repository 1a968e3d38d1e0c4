# --8<-- [start:protect]
# Only your account (and Windows itself, SYSTEM) may read the files that hold the password.
$Folder = Join-Path $env:USERPROFILE '.desterlib'
$Me = [System.Security.Principal.WindowsIdentity]::GetCurrent().Name
foreach ($File in 'apps\api\.env', 'docker-compose.yml') {
    icacls (Join-Path $Folder $File) /inheritance:r /grant:r "${Me}:(F)" '*S-1-5-18:(F)'
}
# --8<-- [end:protect]
# --8<-- [start:check]
# Who may open each file.
icacls (Join-Path $env:USERPROFILE '.desterlib\apps\api\.env')
icacls (Join-Path $env:USERPROFILE '.desterlib\docker-compose.yml')
# --8<-- [end:check]
