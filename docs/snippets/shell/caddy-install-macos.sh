# Caddy from Homebrew.
brew install caddy
