# a project's scripts/startup.sh (leopoldev404/crispy_be_challenge)
echo "Starting Setup..."
export POSTGRES_USER=dev
export POSTGRES_PASSWORD=devpsw  # <- SG204
docker-compose -f docker/docker-compose.yml up --build
echo "Setup Completed!"
