# 1. Download the installer into a file. Copy the installer's address from the
#    DesterLib README or release notes and paste it between the quotes.
$InstallerUrl = 'PASTE-THE-INSTALLER-ADDRESS-HERE'
Invoke-WebRequest -Uri $InstallerUrl -OutFile desterlib-install.ps1

# 2. Read it before it runs on your machine.
notepad .\desterlib-install.ps1

# 3. Run it. The first line allows scripts for this PowerShell window only;
#    Unblock-File records that you have read and trust this one file.
Set-ExecutionPolicy -Scope Process -ExecutionPolicy RemoteSigned
Unblock-File .\desterlib-install.ps1
.\desterlib-install.ps1
