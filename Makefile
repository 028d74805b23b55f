# The two commands of the README:
#   make demo   install, start the bundled outlet simulator on 127.0.0.1, crawl it into ./archive
#   make test   install, run the test suite (what CI runs)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test install bench eval clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

demo: install
	$(BIN)/python -m bench.demo

test: install
	$(BIN)/python -m pytest -q

bench: install
	$(BIN)/python -m bench.run

eval: install
	$(BIN)/newsarchive eval

clean:
	rm -rf $(VENV) .pytest_cache
