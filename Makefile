# The README's two commands: `make run` and `make test`.
# Everything they need is installed here, into .venv, from the package index.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
SOURCES := setup.py pyproject.toml MANIFEST.in $(wildcard src/_sandbox/*.c src/_sandbox/*.h python/autopoietic/*.py python/autopoietic/*.pyi)

.PHONY: all install run test clean

all: install

$(PY):
	$(PYTHON) -m venv $(VENV)

# `pip install .` builds the extension with -Wall -Wextra -Werror (setup.py).
$(STAMP): $(PY) $(SOURCES)
	$(PY) -m pip install --quiet --disable-pip-version-check '.[test]'
	touch $@

install: $(STAMP)

run: install
	$(PY) -m autopoietic demo

test: install
	$(PY) -m pytest

clean:
	rm -rf $(VENV) build *.egg-info python/*.egg-info
