# snippetguard: proof[proxy-checks]
# Run these from a machine outside your home network (or a phone's hotspot).
# --8<-- [start:outside]
# 1. Plain HTTP is redirected to HTTPS: expect "301" (nginx) or "308" (Caddy).
curl -sS -o /dev/null -w '%{http_code} %{redirect_url}\n' http://media.example.com/health
# 2. The API answers over HTTPS, with a valid certificate: expect {"status":"OK",...}.
curl -sS https://media.example.com/health
# 3. The private routes are refused by the proxy: expect "403" three times.
curl -sS -o /dev/null -w '%{http_code}\n' https://media.example.com/api/v1/logs
curl -sS -o /dev/null -w '%{http_code}\n' https://media.example.com/api/v1/settings
curl -sS -o /dev/null -w '%{http_code}\n' https://media.example.com/API/V1/LOGS
# 4. A request for another name never reaches DesterLib: nginx closes the
# connection ("Empty reply from server"), Caddy answers 200 with an empty body.
curl -sS -o /dev/null -w '%{http_code} %{size_download} bytes\n' -H 'Host: localhost' https://media.example.com/health
# --8<-- [end:outside]
# --8<-- [start:port]
# 5. Port 3001 itself is closed from outside: expect a timeout or "refused".
nc -zv -w 3 media.example.com 3001
# --8<-- [end:port]
