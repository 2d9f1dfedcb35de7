# Two commands do all the set-up: `make lab` opens the course, `make test` checks everything.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# extra options for `make lab`; as root (a container) JupyterLab needs --allow-root to start
LAB_ARGS ?= $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: lab test bench site clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[course,test]"
	touch $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/ --LabApp.default_url=/lab/tree/00-start-here.ipynb $(LAB_ARGS)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	$(BIN)/python benchmarks/engine.py

# The course's website, from the learner notebooks' stored outputs and docs/, into build/site
# (open build/site/index.html); read afresh each time (-E) so that no warning hides in a
# saved state, and warnings are errors. docs/site.md says how it is made.
site: $(STAMP)
	$(BIN)/sphinx-build -b html -E -W --keep-going -q -d build/site-doctrees -c docs . build/site

clean:
	rm -rf $(VENV)
