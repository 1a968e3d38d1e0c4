# one-liners from gists titled "generate secure password"
openssl rand -base64 32 | tr -d "=+/" | cut -c1-16  # <- SG307
openssl rand -base64 10  # <- SG307
rand_number=`openssl rand -base64 32`
POSTGRES_PASSWORD=${rand_number//\//}
sudo -u postgres psql -c "alter user postgres with password '$POSTGRES_PASSWORD';"
