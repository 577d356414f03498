# `make demo` and `make test` do all the set-up on a fresh machine (docs/install.md).
VENV ?= .venv
BIN := $(VENV)/bin

# Python 3.11 or newer: python3 if it is new enough, else the newest python3.1x on PATH.
# Found once, when make starts; empty when there is none (python-check then says what to do).
PY_OK := import sys; sys.exit(sys.version_info < (3, 11))
ifeq ($(origin PYTHON),undefined)
PYTHON := $(shell for p in python3 python3.14 python3.13 python3.12 python3.11; do \
	"$$p" -c '$(PY_OK)' >/dev/null 2>&1 && { echo "$$p"; break; }; done)
PY_NAME := python3
PY_MORE := , and PATH has no python3.11 ... python3.14
else
PY_NAME := $(PYTHON)
endif

.PHONY: demo test lab bench setup python-check graphviz chromium clean

demo: $(VENV)/.demo graphviz
	$(BIN)/stepgrad demo
	@echo
	@echo "Next: activate the environment with  . $(VENV)/bin/activate  (or call $(BIN)/stepgrad directly),"
	@echo "      see every command with  stepgrad --help,"
	@echo "      and open the example notebooks with  make lab"

# No torch here: the torch tests skip without it; .ci/run installs the CPU wheel first.
test: $(VENV)/.test graphviz chromium
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lab: $(VENV)/.lab graphviz
	$(BIN)/jupyter lab examples/

bench: $(VENV)/.bench
	$(BIN)/python bench/run.py
	$(BIN)/python bench/classroom.py

setup: $(VENV)/.demo

# One line, before any venv exists, instead of a traceback from a too-old Python.
python-check:
	@if [ -z "$(PYTHON)" ] || ! "$(PYTHON)" -c '$(PY_OK)' >/dev/null 2>&1; then \
		v=$$("$(PY_NAME)" --version 2>/dev/null); \
		echo "stepgrad needs Python 3.11 or newer, but $(PY_NAME) is $${v:-missing}$(PY_MORE): install one (apt install python3.11-venv, brew install python@3.12, or python.org) and run make again, or make PYTHON=/path/to/python3.11" >&2; \
		exit 1; \
	fi

$(BIN)/python: | python-check
	$(PYTHON) -m venv $(VENV)

# One stamp per extra, so that `make demo` installs only the package (numpy, graphviz, tqdm).
$(VENV)/.demo: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

# The test extra only: never torch (a plain `pip install torch` may pull a multi-GB CUDA build),
# and pip leaves a torch that .ci/run installed alone. micrograd (bench extra) is optional too.
$(VENV)/.test: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	touch $@

$(VENV)/.lab: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[notebook]'
	touch $@

$(VENV)/.bench: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[bench]'
	touch $@

# The Graphviz `dot` program renders images; the Python package alone cannot.
graphviz:
	@command -v dot >/dev/null 2>&1 && exit 0; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing the Debian graphviz package (dot) ..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends graphviz >/dev/null; \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing the Debian graphviz package (dot) with sudo ..."; \
		sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends graphviz >/dev/null; \
	else \
		echo "NOTE: the Graphviz 'dot' program is missing and cannot be installed here."; \
		echo "      Install it (apt install graphviz, brew install graphviz, ...) to render images;"; \
		echo "      everything else works without it."; \
	fi

# Debian's Chromium and its driver: the tests open the HTML worksheets in a real headless browser.
chromium:
	@command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1 && exit 0; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing the Debian chromium and chromium-driver packages ..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null; \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing the Debian chromium and chromium-driver packages with sudo ..."; \
		sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null; \
	else \
		echo "NOTE: chromium and chromedriver are missing and cannot be installed here."; \
		echo "      Install them (apt install chromium chromium-driver) to run the browser tests;"; \
		echo "      without them those tests skip (except where CI is set)."; \
	fi

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
