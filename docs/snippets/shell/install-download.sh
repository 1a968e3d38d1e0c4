# 1. Download DesterLib's setup script into a file (the address the README gives).
curl -fsSL -o desterlib-setup.sh https://raw.githubusercontent.com/DesterLib/desterlib/main/scripts/setup/unix.sh
# 2. Read it before it runs on your machine (press q to quit the viewer).
less desterlib-setup.sh
# 3. Run it from the file, so that its questions are answered from your keyboard.
bash desterlib-setup.sh
