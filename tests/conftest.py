"""Shared fixtures.  Every test runs the real sandbox: real clone(), real
rlimits, real timeouts.  A test that needs a kernel feature may skip where it
is missing, but with AUTOPOIETIC_MUST_WORK=1 (set by .ci/run) that skip is a
failure, so CI never goes green by skipping."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

import autopoietic
from autopoietic.sandbox import AutopoieticSandbox

MUST_WORK = os.environ.get("AUTOPOIETIC_MUST_WORK") == "1"
NOBODY = 65534


def require(condition: bool, reason: str) -> None:
    """Skip when a host feature is missing; fail instead under CI."""
    if condition:
        return
    if MUST_WORK:
        pytest.fail(f"required host feature missing (AUTOPOIETIC_MUST_WORK=1): {reason}")
    pytest.skip(reason)


def component(run_body: str = "return 42", *, class_name: str = "SampleComponent", name: str = "sample",
              prelude: str = "", signature: bool = True, marker: bool = True) -> str:
    """Source of a component following the protocol of SPEC section 5."""
    lines = []
    if prelude:
        lines.append(textwrap.dedent(prelude).strip("\n"))
    lines.append(f"class {class_name}:")
    if signature:
        lines.append(f'    _security_signature = "modulo_autopoiesis_data_{name}"')
    if marker:
        lines.append("    _generated_in_sandbox = True")
    lines.append("    def run(self):")
    lines.append(textwrap.indent(textwrap.dedent(run_body).strip("\n"), "        "))
    return "\n".join(lines) + "\n"


@pytest.fixture
def sandbox(tmp_path: Path):
    with AutopoieticSandbox(temp_dir=tmp_path, timeout_s=20) as sb:
        yield sb


def host_processes_with(token: str) -> list[int]:
    """Host pids whose command line contains token (ours excluded)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
        except OSError:
            continue
        if token.encode() in cmdline:
            found.append(int(entry))
    return found


def _runs_as_nobody(python: str) -> bool:
    try:
        proc = subprocess.run([python, "-c", "pass"], user=NOBODY, group=NOBODY, extra_groups=[],
                              capture_output=True, timeout=30, cwd="/")
    except (OSError, subprocess.SubprocessError):
        return False
    return proc.returncode == 0


@pytest.fixture(scope="session")
def nobody_python():
    """(interpreter, pythonpath) with which uid 65534 can import autopoietic.

    The installed package is copied to a world-readable directory; the
    interpreter is ours if uid 65534 can run it, else the system's of the same
    minor version (extensions are ABI-compatible within a minor version).
    """
    require(os.geteuid() == 0, "switching to uid 65534 needs root")
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    candidates = [os.path.realpath(sys.executable), f"/usr/bin/{version}", f"/usr/local/bin/{version}"]
    python = next((c for c in candidates if os.path.exists(c) and _runs_as_nobody(c)), None)
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


def run_as_nobody(nobody_python, script: str, timeout: float = 60, wrap: list[str] | None = None):
    """Run script with uid/gid 65534 (optionally under a wrapper command)."""
    python, path = nobody_python
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": path, "HOME": "/tmp", "LANG": "C.UTF-8"}
    return subprocess.run([*(wrap or []), python, "-c", script], user=NOBODY, group=NOBODY, extra_groups=[],
                          capture_output=True, text=True, timeout=timeout, env=env, cwd="/tmp")
