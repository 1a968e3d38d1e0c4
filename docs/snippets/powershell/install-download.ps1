# 1. Download DesterLib's setup script into a file (the address the README gives).
$SetupUrl = 'https://raw.githubusercontent.com/DesterLib/desterlib/main/scripts/setup/windows.ps1'
Invoke-WebRequest -UseBasicParsing -Uri $SetupUrl -OutFile desterlib-setup.ps1

# 2. Read it before it runs on your machine.
notepad .\desterlib-setup.ps1

# 3. Run it, once you have read it. The first line allows scripts for this
#    PowerShell window only; Unblock-File records that you trust this one file.
Set-ExecutionPolicy -Scope Process -ExecutionPolicy RemoteSigned -Force
Unblock-File .\desterlib-setup.ps1
.\desterlib-setup.ps1
