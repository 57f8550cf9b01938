# The README's two commands: `make run` and `make test`.
# Everything they need is installed here, into .venv, from the package index;
# the system tools of bench, fuzz, sanitize and lint come from
# scripts/install-system-packages.sh (run it once, as root).

PYTHON ?= python3
# our builds fail on any compiler warning (setup.py)
export AUTOPOIETIC_WERROR = 1
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip install --quiet --disable-pip-version-check
# what is installed into .venv: the package alone (make run), with the test
# tools (make install, make test), with every optional extra (make test-all)
RUN_STAMP := $(VENV)/.installed-run
STAMP     := $(VENV)/.installed-test
ALL_STAMP := $(VENV)/.installed-all
SOURCES := setup.py pyproject.toml MANIFEST.in $(wildcard src/_sandbox/*.c src/_sandbox/*.h python/autopoietic/*.py python/autopoietic/*.pyi)
# Missing system tool: say which and where to get it, and stop.
need = @command -v $(1) >/dev/null || { echo "$(1) is missing: run scripts/install-system-packages.sh $(2) (as root)" >&2; exit 1; }

.PHONY: all install run test test-all dist-check clean fuzz bench soak sanitize lint

all: install

$(PY):
	$(PYTHON) -m venv $(VENV)

# `pip install .` builds the extension with -Wall -Wextra -Werror (setup.py).
$(RUN_STAMP): $(PY) $(SOURCES)
	$(PIP) .
	touch $@

$(STAMP): $(PY) $(SOURCES)
	$(PIP) '.[test]'
	touch $@

# dask for tests/test_distributed.py, tqdm for run-many's progress bar test
$(ALL_STAMP): $(PY) $(SOURCES)
	$(PIP) '.[test,dask,progress]'
	touch $@

install: $(STAMP)

# the demo needs the package alone
run: $(RUN_STAMP)
	$(PY) -m autopoietic demo

# The fast tier: the typed API (mypy --strict, configured in pyproject.toml),
# then every test not marked slow: each concern (isolation, limits, warm mode,
# validator, hostile cases, cgroups) is in it, in a few minutes.
test: install
	$(PY) -m mypy
	$(PY) -m pytest -m "not slow"

# Everything: the fast tier and the slow tests (soak, reliability, dask, the
# slow hostile and limit cases).  .ci/run runs this.
test-all: $(ALL_STAMP)
	$(PY) -m mypy
	$(PY) -m pytest

# The release artefacts: `python -m build` makes an sdist and a wheel; the
# wheel goes into a fresh venv with every extra (so the extras resolve, and
# the README's dask example runs under AUTOPOIETIC_MUST_WORK), and the fast
# tier runs from the unpacked sdist against it (so the sdist carries what
# the tests need).
DIST_DIR := build/dist-check
dist-check:
	rm -rf $(DIST_DIR)
	mkdir -p $(DIST_DIR)
	$(PYTHON) -m venv $(DIST_DIR)/venv
	$(DIST_DIR)/venv/bin/python -m pip install --quiet --disable-pip-version-check build
	$(DIST_DIR)/venv/bin/python -m build --outdir $(DIST_DIR) .
	$(DIST_DIR)/venv/bin/python -m pip install --quiet --disable-pip-version-check "$$(ls $(DIST_DIR)/*.whl)[test,dask,progress]"
	tar -xzf $(DIST_DIR)/autopoietic-*.tar.gz -C $(DIST_DIR)
	cd $(DIST_DIR)/autopoietic-*/ && ../venv/bin/python -m pytest -m "not slow" -p no:cacheprovider

# 10,000 executions in one process; prints fd, thread, RSS figures and runs/s.
soak: install
	AUTOPOIETIC_SOAK_RUNS=10000 $(PY) -m pytest -q -s tests/test_soak.py

# Benchmarks: run side by side in one run; quote medians and ratios.
bench: install
	@command -v bwrap >/dev/null || echo "bwrap is missing, its row is skipped: scripts/install-system-packages.sh bubblewrap"
	$(PY) bench/validator.py
	$(PY) bench/execution.py
	$(PY) bench/harness.py
	$(PY) bench/rungs.py
	$(PY) bench/sessions.py

clean:
	rm -rf $(VENV) $(SAN_VENV) build dist *.egg-info python/*.egg-info

# The C files of the extension: the validator alone (it shares nothing
# with the rest), the run machinery without the Python binding (module.c,
# convert.c and pyvalidator.c, the only files that need Python).  Our
# headers are found for quoted includes only (-iquote): none of them may
# shadow a system header.
C_DIR       := src/_sandbox
C_VALIDATOR := $(C_DIR)/validator.c
C_BINDING   := $(C_DIR)/module.c $(C_DIR)/convert.c $(C_DIR)/pyvalidator.c
C_CORE      := $(filter-out $(C_BINDING) $(C_VALIDATOR),$(wildcard $(C_DIR)/*.c))
C_INCLUDES  := -iquote $(C_DIR)

# The C scanner alone under libFuzzer (clang: scripts/install-system-packages.sh).
FUZZ_SECONDS ?= 60
fuzz: install
	$(call need,clang,clang)
	mkdir -p build/fuzz/corpus
	$(PY) fuzz/gen_policy.py build/fuzz/policy.h
	clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE $(C_INCLUDES) -Ibuild/fuzz \
		fuzz/validator_fuzz.c $(C_VALIDATOR) -o build/fuzz/validator_fuzz
	build/fuzz/validator_fuzz -max_total_time=$(FUZZ_SECONDS) -max_len=4096 build/fuzz/corpus fuzz/seeds

# The C code under AddressSanitizer and UndefinedBehaviorSanitizer: the whole
# pytest suite against an instrumented build of the extension (leak
# detection off: the interpreter itself does not free everything at exit),
# then the C paths that own memory alone with leak detection on, and the
# same drivers under valgrind.
SAN_VENV  := .venv-sanitize
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
SAN_CFLAGS = -D_GNU_SOURCE -std=gnu11 -Wall -Wextra -Werror $(C_INCLUDES) -Ibuild/sanitize
ASAN_RT    = $(shell $(CC) -print-file-name=libasan.so)
sanitize: install
	$(call need,valgrind,valgrind)
	test -x $(SAN_VENV)/bin/python || $(PYTHON) -m venv $(SAN_VENV)
	CFLAGS="$(SAN_FLAGS)" LDFLAGS="$(SAN_FLAGS)" $(SAN_VENV)/bin/pip install --quiet --disable-pip-version-check \
		--force-reinstall --no-deps . && $(SAN_VENV)/bin/pip install --quiet --disable-pip-version-check '.[test]'
	LD_PRELOAD=$(ASAN_RT) ASAN_OPTIONS=detect_leaks=0:verify_asan_link_order=0 \
		UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 $(SAN_VENV)/bin/python -m pytest -q -p no:cacheprovider
	mkdir -p build/sanitize
	$(PY) fuzz/gen_policy.py build/sanitize/policy.h
	$(CC) -g -O1 $(SAN_FLAGS) $(SAN_CFLAGS) sanitize/spawn_check.c $(C_CORE) -lm -o build/sanitize/spawn_check
	$(CC) -g -O1 $(SAN_FLAGS) $(SAN_CFLAGS) sanitize/validator_check.c $(C_VALIDATOR) -o build/sanitize/validator_check
	ASAN_OPTIONS=detect_leaks=1 build/sanitize/spawn_check
	ASAN_OPTIONS=detect_leaks=1 build/sanitize/validator_check fuzz/seeds/* python/autopoietic/*.py tests/*.py
	$(CC) -g -O1 $(SAN_CFLAGS) sanitize/spawn_check.c $(C_CORE) -lm -o build/sanitize/spawn_check_plain
	$(CC) -g -O1 $(SAN_CFLAGS) sanitize/validator_check.c $(C_VALIDATOR) -o build/sanitize/validator_check_plain
	valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
		build/sanitize/validator_check_plain fuzz/seeds/* python/autopoietic/*.py
	valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
		--child-silent-after-fork=yes build/sanitize/spawn_check_plain --no-warm

# Static analysis of the C code (cppcheck and clang-tidy: scripts/install-system-packages.sh).
# cppcheck: warning, performance, portability and style; module.c is read
# without Python's headers, so two checks that then misread the
# Py_BEGIN_ALLOW_THREADS macros are off for it.  clang-tidy: bugprone-*,
# cert-* and clang-analyzer-*, less: Annex K's memset_s & co. (glibc has
# none), unchecked-return cert-err33-c (every return we ignore is cast to
# void on purpose), swappable parameters, reserved identifiers (the
# _GNU_SOURCE define), narrowing conversions (checked by -Wall -Wextra).
TIDY_CHECKS := -*,bugprone-*,cert-*,clang-analyzer-*,-clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling,-cert-err33-c,-bugprone-easily-swappable-parameters,-bugprone-reserved-identifier,-cert-dcl37-c,-cert-dcl51-cpp,-bugprone-narrowing-conversions
lint: install
	$(call need,cppcheck,cppcheck)
	$(call need,clang-tidy,clang-tidy)
	cppcheck --enable=warning,performance,portability,style --std=c11 --inline-suppr --error-exitcode=1 -q \
		-D_GNU_SOURCE -D__x86_64__ -I$(C_DIR) --suppress=missingIncludeSystem \
		'-DPy_BEGIN_ALLOW_THREADS={' '-DPy_END_ALLOW_THREADS=}' '-DPy_RETURN_NONE=return NULL' \
		--suppress=shadowFunction:src/_sandbox/module.c --suppress=unusedVariable:src/_sandbox/module.c \
		$(C_DIR)/*.c fuzz/*.c sanitize/*.c
	clang-tidy --quiet --warnings-as-errors='*' -checks='$(TIDY_CHECKS)' $(C_DIR)/*.c -- \
		-D_GNU_SOURCE -std=gnu11 $(C_INCLUDES) -I$$($(PY) -c "import sysconfig; print(sysconfig.get_paths()['include'])")
