cd ~/desterlib-backups
# Encrypt a dump with a passphrase (gpg asks for it twice). Keep the
# passphrase in your password manager, not next to the file.
# Only if that worked, remove the unencrypted copy.
gpg --symmetric --cipher-algo AES256 desterlib-2025-01-31.sql && rm desterlib-2025-01-31.sql
# To restore later, decrypt it first (the file is created readable by you only).
(umask 077 && gpg --output desterlib-2025-01-31.sql --decrypt desterlib-2025-01-31.sql.gpg)
