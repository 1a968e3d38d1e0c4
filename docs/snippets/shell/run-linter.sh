# --8<-- [start:test]
# Everything: code checks, unit tests, a strict build of the site, the real programs.
make test
# --8<-- [end:test]
# --8<-- [start:lint]
# Only the linter, on every snippet and page under docs/, inside the project's
# virtual environment (make test creates it in .venv).
.venv/bin/python -m snippetguard check docs/
# Quicker, without the second opinion of nginx, Caddy and Docker Compose:
.venv/bin/python -m snippetguard check --no-programs docs/
# --8<-- [end:lint]
