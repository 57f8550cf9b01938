"""The hostile suite: each file is one attack, run through run_source (the
validator is off: the kernel boundary must hold on its own), once as this
process's user (root under CI) and once as uid 65534, a normal user going
through a user namespace.  Every case leaves the host as it was and ends
with a clear result dict."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from autopoietic.sandbox import AutopoieticSandbox, SandboxError

from helpers import run_as_nobody

_NOBODY_SCRIPT = """
import json, sys
from autopoietic.sandbox import AutopoieticSandbox, SandboxError
request = json.load(sys.stdin)
with AutopoieticSandbox(**request["options"]) as sb:
    try:
        result = sb.run_source(request["source"], **request["call"])
    except SandboxError as exc:  # refused input: raised again in the caller
        print(json.dumps({"refused": str(exc)}))
        sys.exit(0)
result["files"] = {path: data.hex() for path, data in result["files"].items()}
print(json.dumps(result))
"""

#: The options of run_source itself (the rest are the sandbox's).
_CALL_OPTIONS = ("stdin", "files", "fetch")


# As uid 65534 (root only: a normal user's `make test` is the caller case
# already) each case starts a second interpreter: slow, in make test-all.
# "cell": the case runs as a cell of a session that already ran one
# (docs/api.md, "Sessions"): the same boundary must hold there.
@pytest.fixture(params=["caller", "cell", pytest.param("nobody", marks=pytest.mark.slow)])
def run(request, tmp_path, execution_mode):
    """run(source, **options) -> result dict, as the caller, as a session's
    cell, or as uid 65534; options are the sandbox's, and run_source's own
    stdin, files (str values) and fetch.  ``run.kind`` says which."""
    if request.param in ("caller", "cell"):
        def run_here(source: str, **options) -> dict:
            options.setdefault("timeout_s", 20)
            call = {name: options.pop(name) for name in _CALL_OPTIONS if name in options}
            with AutopoieticSandbox(temp_dir=tmp_path, **options) as sb:
                if request.param == "caller":
                    return sb.run_source(source, **call)
                with sb.session() as session:
                    assert session.run("before = 1")["success"]
                    return dict(session.run(source, **call))

        run_here.kind = request.param  # type: ignore[attr-defined]
        return run_here

    nobody_python = request.getfixturevalue("nobody_python")

    def run_nobody(source: str, **options) -> dict:
        options.setdefault("timeout_s", 20)
        call = {name: options.pop(name) for name in _CALL_OPTIONS if name in options}
        proc = run_as_nobody(nobody_python, _NOBODY_SCRIPT,
                             input=json.dumps({"source": source, "options": options, "call": call}),
                             timeout=options["timeout_s"] + 60)
        assert proc.returncode == 0, proc.stderr
        result = json.loads(proc.stdout.splitlines()[-1])
        if "refused" in result:
            raise SandboxError(result["refused"])
        result["files"] = {path: bytes.fromhex(data) for path, data in result["files"].items()}
        return result

    run_nobody.kind = "nobody"  # type: ignore[attr-defined]
    return run_nobody


@pytest.fixture
def host_canary(tmp_path):
    """A host file with known bytes and mtime, readable by everybody, in a
    world-writable directory: checked unchanged after the attack."""
    directory = tmp_path / "canary-dir"
    directory.mkdir()
    os.chmod(tmp_path, 0o755)
    os.chmod(directory, 0o777)
    canary = directory / "canary.txt"
    canary.write_bytes(b"host data that must not change\n")
    os.chmod(canary, 0o666)
    before = (canary.read_bytes(), canary.stat().st_mtime_ns, sorted(os.listdir(directory)))
    yield canary
    after = (canary.read_bytes(), canary.stat().st_mtime_ns, sorted(os.listdir(directory)))
    assert after == before, "the host canary changed"


@pytest.fixture
def host_sleeper():
    """A host process the sandbox must neither see nor signal."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    yield proc
    alive = proc.poll() is None
    proc.kill()
    proc.wait()
    assert alive, "the host process was killed"


