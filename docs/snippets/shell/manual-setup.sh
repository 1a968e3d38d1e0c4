# DesterLib v0.2.0's source in ~/.desterlib, openable by you only.
git clone --depth 1 --branch v0.2.0 https://github.com/DesterLib/desterlib.git ~/.desterlib
chmod 700 ~/.desterlib
cd ~/.desterlib
# Now save the hardened Compose file over docker-compose.yml with your editor,
# then make it private: it decides what the containers may reach.
chmod 600 docker-compose.yml
