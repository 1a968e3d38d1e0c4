# A normal request: curl checks the certificate and fails loudly if it is wrong.
curl -fsS https://media.example.com/health
# Who issued the certificate, for which name, and until when it is valid.
openssl s_client -connect media.example.com:443 -servername media.example.com </dev/null 2>/dev/null | openssl x509 -noout -issuer -subject -dates
# Plain http:// should answer with a redirect to https://.
curl -sSI http://media.example.com/health
