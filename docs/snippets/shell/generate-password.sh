# 32 random bytes, base64-encoded; "/", "+" and "=" are removed so the
# password can sit inside DATABASE_URL without escaping.
openssl rand -base64 32 | tr -d '/+='
