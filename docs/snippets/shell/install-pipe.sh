# snippetguard: expect[SG303] the one-liner from DesterLib's README: runs code nobody has read, and this script breaks when piped
curl -fsSL https://raw.githubusercontent.com/DesterLib/desterlib/main/scripts/setup/unix.sh | bash
