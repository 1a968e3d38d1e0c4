# --8<-- [start:install]
# Into your documentation's virtual environment: the plugin, its macros and the pinned nginx and Caddy.
python3 -m pip install "snippetguard[mkdocs,programs] @ git+https://github.com/DesterLib/desterlib-docs@<tag or commit>"
snippetguard --version
# --8<-- [end:install]
# --8<-- [start:fix]
# Show what --fix would change, then change it; what has no single safe fix stays reported.
snippetguard check --diff docs/
snippetguard check --fix docs/
# --8<-- [end:fix]
