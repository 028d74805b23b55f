# The two commands of the README:
#   make demo   install, start the bundled outlet simulator on 127.0.0.1, crawl it into ./archive
#   make test   install (redis-server and pywb too, for their tests), run the test suite (what CI runs)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test install services pywb bench eval clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

demo: install
	$(BIN)/python -m bench.demo

# The tests start their own redis-server on a free loopback port; this only installs it
# (Debian's package) where it is missing.
services:
	@command -v redis-server >/dev/null 2>&1 || { \
		echo "installing redis-server (Debian package) for the tests"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq redis-server >/dev/null; }

# The replay tests run real pywb, in its own virtualenv (its pins clash with ours): made
# here, with the rest of the install, rather than inside the first replay test.
pywb: install
	@$(BIN)/newsarchive replay --install-pywb

test: install services pywb
	$(BIN)/python -m pytest -q

bench: install
	$(BIN)/python -m bench.run

eval: install
	$(BIN)/newsarchive eval

clean:
	rm -rf $(VENV) .pytest_cache
