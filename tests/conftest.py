"""Fixtures shared by all tests (helpers live in the helpers package).

Tests that start a sandbox take ``execution_mode`` (directly or through
``sandbox``) and run once per mode; tests that start none run once."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

import autopoietic
from autopoietic.sandbox import AutopoieticSandbox

from helpers import UNDER_ASAN, WARM_UNDER_ASAN, require, require_root, runs_as_nobody


@pytest.fixture(params=["spawn", "warm"])
def execution_mode(request, monkeypatch) -> str:
    """Both execution modes (docs/design.md, "Execution modes"): every
    sandbox the test makes, in this process or in a child process it
    starts, runs in this mode."""
    if request.param == "warm" and UNDER_ASAN:
        pytest.skip(WARM_UNDER_ASAN)
    monkeypatch.setenv("AUTOPOIETIC_MODE", request.param)
    return request.param


@pytest.fixture
def sandbox(tmp_path: Path, execution_mode: str):
    with AutopoieticSandbox(temp_dir=tmp_path, timeout_s=20) as sb:
        assert sb.mode == execution_mode
        yield sb


@pytest.fixture
def idle_sandbox(tmp_path: Path):
    """A sandbox object for tests that start no run (argument checks, the
    validator's refusals): made once, in the default mode."""
    with AutopoieticSandbox(temp_dir=tmp_path, timeout_s=20) as sb:
        yield sb


@pytest.fixture(scope="session")
def nobody_python():
    """(interpreter, pythonpath) with which uid 65534 can import autopoietic.

    The installed package is copied to a world-readable directory; the
    interpreter is ours if uid 65534 can run it, else the system's of the same
    minor version (extensions are ABI-compatible within a minor version).
    """
    require_root("switching to uid 65534")
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    candidates = [os.path.realpath(sys.executable), f"/usr/bin/{version}", f"/usr/local/bin/{version}"]
    python = next((c for c in candidates if os.path.exists(c) and runs_as_nobody(c)), None)
    require(python is not None, f"no {version} interpreter that uid 65534 may run: {candidates}")
    root = tempfile.mkdtemp(prefix="autopoietic-nobody-")
    os.chmod(root, 0o755)
    shutil.copytree(Path(autopoietic.__file__).parent, Path(root) / "autopoietic",
                    ignore=shutil.ignore_patterns("__pycache__"))
    for dirpath, dirnames, filenames in os.walk(root):
        for d in dirnames:
            os.chmod(os.path.join(dirpath, d), 0o755)
        for f in filenames:
            os.chmod(os.path.join(dirpath, f), 0o644)
    yield python, root
    shutil.rmtree(root, ignore_errors=True)


