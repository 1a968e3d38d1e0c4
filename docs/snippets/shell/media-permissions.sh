# snippetguard: proof[file-permissions]
# --8<-- [start:symbolic]
# Owner may read and write; everyone else may only read. Capital X adds
# "execute" to folders (needed to open them) but not to ordinary files.
chmod -R u=rwX,go=rX /srv/media
# --8<-- [end:symbolic]
# --8<-- [start:find]
# Reset everything explicitly: folders 755, files 644. Use this to repair a
# library that an earlier "chmod -R 755" marked executable.
find /srv/media -type d -exec chmod 755 {} +
find /srv/media -type f -exec chmod 644 {} +
# --8<-- [end:find]
# --8<-- [start:check]
# Files should show -rw-r--r--, folders drwxr-xr-x.
ls -l /srv/media | head
# --8<-- [end:check]
