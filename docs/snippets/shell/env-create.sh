# snippetguard: proof[secret-generators]
cd ~/.desterlib
# Create an empty .env that only you can read, before any secret goes in.
touch .env
chmod 600 .env
# Paste the settings from the .env template into it with your editor (the
# template has no password line), then append a freshly generated database
# password. Nothing is shown on screen:
printf 'POSTGRES_PASSWORD=%s\n' "$(openssl rand -hex 32)" >> .env
