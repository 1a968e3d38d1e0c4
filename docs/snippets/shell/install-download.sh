# 1. Download the installer into a file. Copy the installer's address from the
#    DesterLib README or release notes and paste it between the quotes.
INSTALLER_URL='PASTE-THE-INSTALLER-ADDRESS-HERE'
curl -fsSL -o desterlib-install.sh "$INSTALLER_URL"

# 2. Read it before it runs on your machine (press q to quit the viewer).
less desterlib-install.sh

# 3. Run it once you are happy with what it does.
bash desterlib-install.sh
