# Download, read, run
Invoke-WebRequest -Uri https://raw.githubusercontent.com/desterlib/desterlib/v0.2.0/install.ps1 -OutFile install.ps1
Get-Content .\install.ps1
.\install.ps1
$response = Invoke-RestMethod https://api.github.com/repos/immich-app/immich/releases/latest
Write-Output $response.tag_name
