# 1. Download the setup script into a file (the address the DesterLib README gives).
$Script = Join-Path $env:USERPROFILE 'desterlib-setup.ps1'
Invoke-WebRequest -UseBasicParsing -Uri 'https://raw.githubusercontent.com/DesterLib/desterlib/main/scripts/setup/windows.ps1' -OutFile $Script

# 2. Read it before it runs on your machine.
notepad $Script

# 3. Run it, once you have read it. The first line allows scripts for this
#    PowerShell window only; Unblock-File records that you trust this one file.
Set-ExecutionPolicy -Scope Process -ExecutionPolicy RemoteSigned -Force
Unblock-File $Script
& $Script
