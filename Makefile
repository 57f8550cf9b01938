# The README's two commands: `make run` and `make test`.
# Everything they need is installed here, into .venv, from the package index.

PYTHON ?= python3
# our builds fail on any compiler warning (setup.py)
export AUTOPOIETIC_WERROR = 1
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
SOURCES := setup.py pyproject.toml MANIFEST.in $(wildcard src/_sandbox/*.c src/_sandbox/*.h python/autopoietic/*.py python/autopoietic/*.pyi)

.PHONY: all install run test clean fuzz bench soak

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

# 10,000 executions in one process; prints fd, thread, RSS figures and runs/s.
soak: install
	AUTOPOIETIC_SOAK_RUNS=10000 $(PY) -m pytest -q -s tests/test_soak.py

# Benchmarks: run side by side in one run; quote medians and ratios.
bench: install
	$(PY) bench/validator.py

clean:
	rm -rf $(VENV) build *.egg-info python/*.egg-info

# The C scanner alone under libFuzzer (installs clang from Debian if missing).
FUZZ_SECONDS ?= 60
fuzz: install
	command -v clang >/dev/null || (apt-get update -q && apt-get install -y -q clang)
	mkdir -p build/fuzz/corpus
	$(PY) fuzz/gen_policy.py build/fuzz/policy.h
	clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Isrc/_sandbox -Ibuild/fuzz \
		fuzz/validator_fuzz.c src/_sandbox/validator.c -o build/fuzz/validator_fuzz
	build/fuzz/validator_fuzz -max_total_time=$(FUZZ_SECONDS) -max_len=4096 build/fuzz/corpus fuzz/seeds
