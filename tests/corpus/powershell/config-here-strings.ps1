# Files written from here-strings
@'
services:
  postgres:
    image: postgres:15-alpine
    environment:
      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set it in .env}
    ports:
      - "5432:5432"  # <- SG101
'@ | Set-Content -Path docker-compose.yml
Set-Content -Path .env -Value "POSTGRES_PASSWORD=postgres"  # <- SG202
$envText = @"
POSTGRES_USER=desterlib
POSTGRES_PASSWORD=$dbPassword
"@
$envText | Out-File -FilePath .env -Encoding utf8
