# snippetguard: proof[secret-generators]
# 32 random bytes written as 64 hexadecimal characters (0-9, a-f): 256 bits,
# and nothing that needs escaping in DATABASE_URL, a .env file or YAML.
openssl rand -hex 32
