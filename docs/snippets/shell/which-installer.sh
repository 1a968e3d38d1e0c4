cd ~/.desterlib
# Which installer wrote this folder? The setup scripts leave a git clone with
# apps/api/.env; a set-up by hand from this guide, a git clone with .env; the
# npm CLI, only docker-compose.yml, .env and README.md.
if [ -f apps/api/.env ]; then
  echo "setup scripts: password in docker-compose.yml (3 times) and apps/api/.env"
elif [ -d .git ] && [ -f .env ]; then
  echo "set up by hand: password in .env only"
elif [ -f .env ]; then
  echo "npm CLI: password in docker-compose.yml (twice) and .env"
else
  echo "neither layout: is this the right folder?"
fi
