"""The typed API: the package passes mypy --strict, and a user's type
checker sees the result dict's keys and types (the ExecutionResult
TypedDict in the public signatures, the .pyi of the extension)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def mypy(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    pytest.importorskip("mypy", reason="mypy is in the test extra (pip install .[test])")
    return subprocess.run([sys.executable, "-m", "mypy", *args], capture_output=True, text=True, timeout=600,
                          cwd=cwd)


@pytest.mark.slow  # 2.5 s; make test and make test-all run mypy before pytest
def test_package_is_strictly_typed():
    proc = mypy("--strict", str(ROOT / "python" / "autopoietic"))
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.slow  # 8.5 s here
def test_a_users_type_checker_knows_the_result(tmp_path):
    user = tmp_path / "user_code.py"
    user.write_text(textwrap.dedent("""
        from concurrent.futures import Future
        from autopoietic import _sandbox
        from autopoietic.executor import SandboxExecutor
        from autopoietic.sandbox import AutopoieticSandbox, ExecutionResult

        def check(sb: AutopoieticSandbox, pool: SandboxExecutor) -> None:
            r = sb.execute_component("code", "name")
            ok: bool = r["success"]
            seconds: float = r["execution_time"]
            limit: str | None = r["limit_exceeded"]
            f: Future[ExecutionResult] = pool.submit_component("code", "name")
            raw = _sandbox.run(["python"], [], "/", timeout_s=1.0)
            code: int | None = raw["exit_code"]
            typo = r["sucess"]
            wrong: int = r["output"]
    """))
    proc = mypy("--strict", "--no-incremental", str(user), cwd=tmp_path)
    errors = [line for line in proc.stdout.splitlines() if ": error:" in line]
    assert len(errors) == 2, proc.stdout
    assert 'TypedDict "ExecutionResult" has no key "sucess"' in errors[0]
    assert 'Incompatible types in assignment (expression has type "str", variable has type "int")' in errors[1]
