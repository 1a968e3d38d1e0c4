# Homebrew's Caddy reads its Caddyfile from Homebrew's etc folder.
caddy validate --config "$(brew --prefix)/etc/Caddyfile" --adapter caddyfile
# Start Caddy now and at every login.
brew services start caddy
