"""The C scanner alone, built with AddressSanitizer and UndefinedBehavior-
Sanitizer, over the whole snippet corpus (and the seeds of make fuzz): any
out-of-bounds read, overflow or leak fails the test."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import require
from test_validator import BENIGN, HOSTILE, synthesized_sources

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def checker(tmp_path_factory):
    cc = shutil.which(os.environ.get("CC", "cc")) or shutil.which("gcc")
    require(cc is not None, "a C compiler")
    build = tmp_path_factory.mktemp("asan")
    subprocess.run([sys.executable, str(ROOT / "fuzz" / "gen_policy.py"), str(build / "policy.h")], check=True)
    binary = build / "validator_check"
    proc = subprocess.run(
        [cc, "-g", "-O1", "-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-fno-omit-frame-pointer",
         "-D_GNU_SOURCE", "-std=gnu11", "-Wall", "-Wextra", "-Werror", f"-I{ROOT / 'src' / '_sandbox'}",
         f"-I{build}", str(ROOT / "sanitize" / "validator_check.c"), str(ROOT / "src" / "_sandbox" / "validator.c"),
         "-o", str(binary)],
        capture_output=True, text=True)
    require(proc.returncode == 0 or "sanitize" not in proc.stderr, f"sanitizer runtime: {proc.stderr[-300:]}")
    assert proc.returncode == 0, proc.stderr
    return binary


@pytest.mark.slow  # 8 s here, most of it compiling
def test_corpus_under_sanitizers(checker, tmp_path):
    corpus = [s for _, s, _ in HOSTILE] + BENIGN + [s for _, s in synthesized_sources()]
    corpus += ["f'{" * 300, "'" * 10000, "\\" * 5000, "x" * 300 + ".__class__", "\xff".join("abc"), "é" * 1000]
    files = []
    for i, source in enumerate(corpus):
        path = tmp_path / f"snippet{i}.py"
        path.write_bytes(source.encode("utf-8", "surrogateescape"))
        files.append(str(path))
    files += [str(p) for p in sorted((ROOT / "fuzz" / "seeds").iterdir())]
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=1:abort_on_error=0", UBSAN_OPTIONS="print_stacktrace=1")
    proc = subprocess.run([str(checker), *files], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "runtime error" not in proc.stderr and "AddressSanitizer" not in proc.stderr, proc.stderr[-3000:]
    assert len(proc.stdout.splitlines()) == len(files)
