Set-Location (Join-Path $env:USERPROFILE '.desterlib')
# Which installer wrote this folder? The setup scripts leave a git clone with
# apps\api\.env; a set-up by hand from this guide, a git clone with .env; the
# npm CLI, only docker-compose.yml, .env and README.md.
if (Test-Path 'apps\api\.env') {
  'setup scripts: password in docker-compose.yml (3 times) and apps\api\.env'
} elseif ((Test-Path '.git') -and (Test-Path '.env')) {
  'set up by hand: password in .env only'
} elseif (Test-Path '.env') {
  'npm CLI: password in docker-compose.yml (twice) and .env'
} else {
  'neither layout: is this the right folder?'
}
