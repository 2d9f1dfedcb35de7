# Two commands do all the set-up: `make lab` opens the course, `make test` checks everything.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# the extras `make test` installs; `make test-oldest` installs the same at their lowest versions
EXTRAS := course,test
# the oldest set: the lowest Python requires-python allows (from pyenv, or PATH), its own venv;
# pyenv's own interpreter first: its shim on PATH refuses a version that is not selected
OLDEST_VERSION = $(shell $(PYTHON) tools/bounds.py python)
OLDEST_PYTHON ?= $(or $(lastword $(sort $(wildcard \
	$(HOME)/.pyenv/versions/$(OLDEST_VERSION).*/bin/python$(OLDEST_VERSION)))),$(shell \
	command -v python$(OLDEST_VERSION)))
OLDEST := .venv-oldest
# extra options for `make lab`; as root (a container) JupyterLab needs --allow-root to start
LAB_ARGS ?= $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: lab test test-oldest bench site clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[$(EXTRAS)]"
	touch $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/ --LabApp.default_url=/lab/tree/00-start-here.ipynb $(LAB_ARGS)

test: $(STAMP)
	@echo "newest dependency set (what pip chose):"; $(BIN)/python tools/bounds.py versions $(EXTRAS)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

# every dependency at the lowest version pyproject.toml declares, on the lowest Python
$(OLDEST)/.installed: pyproject.toml tools/bounds.py
	@test -n "$(OLDEST_PYTHON)" || { echo "test-oldest: no python$(OLDEST_VERSION) on PATH \
	or in ~/.pyenv/versions; requires-python must then be raised to a Python that is tested"; \
	exit 1; }
	rm -rf $(OLDEST)
	$(OLDEST_PYTHON) -m venv $(OLDEST)
	$(OLDEST)/bin/python -m pip install --quiet --upgrade pip
	$(OLDEST)/bin/python tools/bounds.py lowest $(EXTRAS) > $(OLDEST)/constraints.txt
	$(OLDEST)/bin/python -m pip install --quiet -c $(OLDEST)/constraints.txt -e ".[$(EXTRAS)]"
	touch $@

test-oldest: $(OLDEST)/.installed
	@echo "oldest dependency set (the lowest bounds):"
	@$(OLDEST)/bin/python tools/bounds.py versions $(EXTRAS)
	$(OLDEST)/bin/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	$(BIN)/python benchmarks/engine.py
	$(BIN)/python benchmarks/compiled.py

# The course's website, from the learner notebooks' stored outputs and docs/, into build/site
# (open build/site/index.html); read afresh each time (-E) so that no warning hides in a
# saved state, and warnings are errors. docs/site.md says how it is made.
site: $(STAMP)
	$(BIN)/sphinx-build -b html -E -W --keep-going -q -d build/site-doctrees -c docs . build/site

clean:
	rm -rf $(VENV) $(OLDEST)
