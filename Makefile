# Each target sets itself up: a virtual environment with the pinned requirements.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export NO_MKDOCS_2_WARNING := 1
# Bytecode caches make every build start 0.1 s faster; some shells turn them off.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: serve test build bench lint clean eval

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

serve: $(STAMP)
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000 --livereload

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
	$(BIN)/python benchmarks/bench.py

lint: $(STAMP)
	$(BIN)/python -m snippetguard check docs

clean:
	rm -rf site .site-building .cache .pytest_cache

# Recall and false alarms on the realistic corpus (tests/corpus); --programs adds the real programs.
eval: $(STAMP)
	$(BIN)/python benchmarks/eval.py
