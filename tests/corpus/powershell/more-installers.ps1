# installer one-liners from project READMEs (Oh My Posh, Bun, pnpm, Spicetify, winutil, MAS, Scoop admin)
Set-ExecutionPolicy Bypass -Scope Process -Force; Invoke-Expression ((New-Object System.Net.WebClient).DownloadString('https://ohmyposh.dev/install.ps1'))  # <- SG308
powershell -c "irm bun.sh/install.ps1|iex"  # <- SG308
Invoke-WebRequest https://get.pnpm.io/install.ps1 -UseBasicParsing | Invoke-Expression  # <- SG308
iwr -useb https://raw.githubusercontent.com/spicetify/cli/main/install.ps1 | iex  # <- SG308
irm "https://christitus.com/win" | iex  # <- SG308
& ([ScriptBlock]::Create((irm https://get.activated.win))) /HWID  # <- SG308
iex "& {$(irm get.scoop.sh)} -RunAsAdmin"  # <- SG308
