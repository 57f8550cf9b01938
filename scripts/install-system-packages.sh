#!/bin/sh
# The system tools some Makefile targets use, from Debian/Ubuntu's apt.
# `make run` and `make test` need none of them (a C compiler and Python's
# headers build the extension; pip installs the rest into .venv).  Run this
# once, as root, before the targets that say they need it:
#
#   bubblewrap   make bench     the bwrap row of bench/execution.py (skipped without it)
#   clang        make fuzz      libFuzzer, to fuzz the C validator
#   valgrind     make sanitize  the C drivers under valgrind, after ASan/UBSan
#   cppcheck     make lint      static analysis of src/_sandbox/*.c and fuzz/*.c
#   clang-tidy   make lint      bugprone-*, cert-*, clang-analyzer-* checks
#
# Usage: scripts/install-system-packages.sh [package...]   (default: all of the above)
set -eu
packages="${*:-bubblewrap clang valgrind cppcheck clang-tidy}"
if ! command -v apt-get >/dev/null 2>&1; then
    echo "no apt-get here: install these with your system's package manager: $packages" >&2
    exit 1
fi
if [ "$(id -u)" != 0 ]; then
    echo "run as root (or with sudo): apt-get install $packages" >&2
    exit 1
fi
echo "installing: $packages"
apt-get update -q
# shellcheck disable=SC2086  # one word per package
apt-get install -y -q $packages
