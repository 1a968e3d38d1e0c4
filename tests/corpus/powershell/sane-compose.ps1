# A compose file from a literal here-string, loopback only
@'
services:
  api:
    image: desterlib/api:0.2.0
    ports:
      - "127.0.0.1:3001:3001"
    volumes:
      - D:\Media:/media:ro
'@ | Set-Content -Path docker-compose.yml -Encoding utf8
docker compose up -d
