cd ~/.desterlib
# Which installer wrote this folder? The setup scripts leave a git clone with
# apps/api/.env; the npm CLI leaves only docker-compose.yml, .env and README.md.
if [ -f apps/api/.env ]; then
  echo "setup scripts: password in docker-compose.yml (3 times) and apps/api/.env"
elif [ -f .env ]; then
  echo "npm CLI: password in docker-compose.yml (twice) and .env"
else
  echo "neither layout: is this the right folder?"
fi
