# snippetguard: expect[SG303] the pattern older guides use: runs code nobody has read
curl -fsSL "$INSTALLER_URL" | bash
