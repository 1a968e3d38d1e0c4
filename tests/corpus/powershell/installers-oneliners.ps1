# Windows installers as their READMEs give them
irm get.scoop.sh | iex  # <- SG308
Set-ExecutionPolicy Bypass -Scope Process -Force; iex ((New-Object System.Net.WebClient).DownloadString('https://community.chocolatey.org/install.ps1'))  # <- SG308
iex "& { $(irm https://aka.ms/install-powershell.ps1) } -UseMSI"  # <- SG308
powershell -ExecutionPolicy ByPass -c "irm https://astral.sh/uv/install.ps1 | iex"  # <- SG308
Invoke-WebRequest -UseBasicParsing https://example.org/setup.ps1 | Invoke-Expression  # <- SG308
