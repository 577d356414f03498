# `make demo` and `make test` do all the set-up on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test bench setup graphviz chromium clean

demo: setup graphviz
	$(BIN)/stepgrad demo

test: setup graphviz chromium
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/pip install -q -e '.[bench]'
	$(BIN)/python bench/run.py

setup: $(VENV)/.installed

# torch: pinned to the CPU wheel, so that the to_torch/from_torch tests run (a looser
# requirement lets pip pick a newer, multi-GB CUDA build). micrograd is for the benchmark
# only (the bench extra); the tests that compare with it skip without it.
$(VENV)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -e '.[test]' 'torch==2.13.0'
	touch $@

# The Graphviz `dot` program renders images; the Python package alone cannot.
graphviz:
	@command -v dot >/dev/null 2>&1 && exit 0; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing the Debian graphviz package (dot) ..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null; \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing the Debian graphviz package (dot) with sudo ..."; \
		sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null; \
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
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing the Debian chromium and chromium-driver packages with sudo ..."; \
		sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	else \
		echo "NOTE: chromium and chromedriver are missing and cannot be installed here."; \
		echo "      Install them (apt install chromium chromium-driver) to run the browser tests;"; \
		echo "      without them those tests skip (except where CI is set)."; \
	fi

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
