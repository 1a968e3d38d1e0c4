cd ~/.desterlib
# Create an empty .env that only you can read, before any secret goes in.
touch .env
chmod 600 .env
# Now paste the settings from the template above into .env with your editor,
# then append a freshly generated database password (nothing is shown on screen):
printf 'POSTGRES_PASSWORD=%s\n' "$(openssl rand -base64 32 | tr -d '/+=')" >> .env
