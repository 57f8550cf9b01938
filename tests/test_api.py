"""The public API (docs/api.md) and the result dict (docs/api.md, "The result dict")."""

from __future__ import annotations

import inspect
import os
import threading
import time
from pathlib import Path

import pytest

from autopoietic._outcome import STATUSES
from autopoietic.sandbox import AutopoieticSandbox, ExecutionResult, SandboxError, create_secure_sandbox

from helpers import announce, bound, component, ready_token, wait_ready

# Tests that start a sandbox run in both execution modes (docs/design.md,
# "Execution modes"): through the sandbox fixture or by taking
# execution_mode.  The others (argument checks, the validator's refusals)
# start none and run once, with idle_sandbox where they need an object.

RESULT_TYPES = {
    "success": (bool,),
    "output": (str,),
    "error": (str,),
    "execution_time": (float,),
    "isolation": (str,),
    "security_validated": (bool,),
    "exit_code": (int, type(None)),
    "signal": (int, type(None)),
    "timed_out": (bool,),
    "limit_exceeded": (str, type(None)),
    "cpu_time_s": (float,),
    "max_rss_kib": (int,),
    "output_truncated": (bool,),
    "namespaces": (list,),
    "oom_killed": (bool,),
    "cgroup_controllers": (list,),
    "stdout": (str,),
    "stderr": (str,),
    "status": (str,),
    "files": (dict,),
    "fetch_errors": (dict,),
    "landlock": (dict, type(None)),
}
ISOLATION_VALUES = {
    "unshare-namespaces",
    "unshare-namespaces-timeout",
    "landlock",
    "landlock-timeout",
    "direct-execution",
    "direct-execution-timeout",
    "error",
}


def assert_result_shape(result: dict) -> None:
    assert set(result) == set(RESULT_TYPES), set(result) ^ set(RESULT_TYPES)
    for key, types in RESULT_TYPES.items():
        assert isinstance(result[key], types), (key, result[key])
        if bool not in types and int in types and result[key] is not None:
            assert not isinstance(result[key], bool), key
    assert result["isolation"] in ISOLATION_VALUES
    assert all(isinstance(n, str) for n in result["namespaces"])
    assert set(result["cgroup_controllers"]) <= {"memory", "pids", "cpu"}
    assert result["status"] in STATUSES
    assert result["stdout"] == result["output"]
    assert (result["status"] == "ok") == result["success"]


def test_valid_component_succeeds_in_namespaces(sandbox):
    code = component('print("working")\nreturn 1', class_name="GoodComponent", name="good")
    result = sandbox.execute_component(code, "good")
    assert_result_shape(result)
    assert result["success"] is True, result["error"]
    assert result["isolation"] == "unshare-namespaces"
    assert result["security_validated"] is True
    assert result["exit_code"] == 0 and result["signal"] is None
    assert result["limit_exceeded"] is None and not result["timed_out"]
    assert "working\n" in result["output"]
    assert "SUCCESS: Component GoodComponent executed successfully" in result["output"]
    assert {"user", "pid", "ipc", "uts", "net", "mnt"} <= set(result["namespaces"])
    assert 0 < result["execution_time"] < bound(10)  # a hung run would hit the 20 s timeout
    assert result["cpu_time_s"] > 0 and result["max_rss_kib"] > 1000
    # the component's peak, not the caller's (init is a copy of the caller)
    big = sandbox.run_source("x = bytearray(60 << 20)\nx[::4096] = b'x' * len(x[::4096])")
    assert 60 * 1024 < big["max_rss_kib"] < 100 * 1024
    small = sandbox.run_source("pass")
    assert small["max_rss_kib"] < 30 * 1024


def test_result_shape_of_every_outcome(tmp_path, execution_mode):
    with AutopoieticSandbox(temp_dir=tmp_path, max_cpu_time_seconds=5, timeout_s=0.5) as sb:
        outcomes = [
            sb.execute_component(component("return 1"), "ok_one"),
            sb.execute_component(component("raise ValueError('boom')"), "fails"),
            sb.run_source("while True: pass"),
            sb.run_source("raise SystemExit(3)"),
        ]
    for result in outcomes:
        assert_result_shape(result)
    assert [r["success"] for r in outcomes] == [True, False, False, False]
    assert [r["status"] for r in outcomes] == ["ok", "error", "timeout", "error"]
    assert outcomes[3]["exit_code"] == 3


def test_execute_component_takes_exactly_two_parameters():
    params = list(inspect.signature(AutopoieticSandbox.execute_component).parameters)
    assert params == ["self", "component_code", "component_name"]


def test_exception_in_run_gives_traceback(sandbox):
    code = component("def inner():\n    raise ValueError('component exploded')\ninner()")
    result = sandbox.execute_component(code, "sample")
    assert result["success"] is False
    assert result["isolation"] == "unshare-namespaces"
    assert result["exit_code"] == 1
    assert "Traceback (most recent call last)" in result["error"]
    assert "ValueError: component exploded" in result["error"]
    assert "ERROR: SampleComponent.run() raised ValueError: component exploded" in result["error"]
    assert "SUCCESS" not in result["output"]


@pytest.mark.parametrize(
    "code, rule",
    [
        (component("return 1", prelude="import os"), "denied-import"),
        (component("return 1", prelude="import subprocess"), "denied-import"),
        (component("return eval('1+1')"), "denied-name"),
        (component("return open('/etc/passwd').read()"), "denied-name"),
        (component("return 1", signature=False), "missing-security-signature"),
        (component("return 1", marker=False), "missing-sandbox-marker"),
    ],
    ids=["import-os", "import-subprocess", "eval", "open", "no-signature", "no-marker"],
)
def test_validator_refusal_raises(idle_sandbox, code, rule):
    assert idle_sandbox.validate_component(code) is False
    with pytest.raises(SandboxError) as info:
        idle_sandbox.execute_component(code, "sample")
    assert rule in [f.rule for f in info.value.findings]
    assert all(f.line >= 1 and f.col >= 0 for f in info.value.findings)
    assert list(Path(idle_sandbox._root).iterdir()) == []  # nothing was written or run


def test_validate_component_accepts_a_valid_component(idle_sandbox):
    assert idle_sandbox.validate_component(component()) is True


def test_finding_position_is_line_and_column(idle_sandbox):
    code = component("return 1", prelude="x = 1\ny = 2; import sys")
    with pytest.raises(SandboxError) as info:
        idle_sandbox.execute_component(code, "sample")
    (finding,) = info.value.findings
    assert (finding.rule, finding.line, finding.col) == ("denied-import", 2, 14)
    assert "'sys'" in finding.message


@pytest.mark.parametrize("bad", [None, b"class X: pass", 42, ["code"]])
def test_non_str_code_is_type_error(idle_sandbox, bad):
    with pytest.raises(TypeError):
        idle_sandbox.execute_component(bad, "sample")
    with pytest.raises(TypeError):
        idle_sandbox.validate_component(bad)
    with pytest.raises(TypeError):
        idle_sandbox.run_source(bad)


def test_non_str_name_is_type_error(idle_sandbox):
    with pytest.raises(TypeError):
        idle_sandbox.execute_component(component(), 42)


@pytest.mark.parametrize(
    "name",
    ["../../x", "../../etc/x", "a.b", "", "x\x00y", "a/b", "class", "1abc", "with space", "ｅval", "a" * 200],
)
def test_bad_component_name_raises_and_writes_nothing(tmp_path, name):
    victim = tmp_path / "etc" / "x.py"
    with AutopoieticSandbox(temp_dir=tmp_path) as sb:
        before = sorted(p.name for p in tmp_path.rglob("*"))
        with pytest.raises(SandboxError, match="plain Python identifier"):
            sb.execute_component(component(), name)
        after = sorted(p.name for p in tmp_path.rglob("*"))
    assert before == after
    assert not victim.exists()
    assert not (tmp_path.parent / "x.py").exists()


def test_code_over_the_size_bound_raises(tmp_path):
    with AutopoieticSandbox(temp_dir=tmp_path, max_code_bytes=4096) as sb:
        big = component("return 1") + "#" * 5000 + "\n"
        with pytest.raises(SandboxError, match="max_code_bytes"):
            sb.execute_component(big, "sample")
        with pytest.raises(SandboxError, match="max_code_bytes"):
            sb.run_source("x = 1\n" + "#" * 5000)
        assert sb.validate_component(big) is False


def test_default_size_bound_is_one_mib(idle_sandbox):
    huge = component("return 1") + "#" * (1 << 20) + "\n"
    with pytest.raises(SandboxError):
        idle_sandbox.execute_component(huge, "sample")


def test_lone_surrogate_is_refused(idle_sandbox):
    with pytest.raises(SandboxError, match="UTF-8"):
        idle_sandbox.execute_component(component("return '\ud800'"), "sample")


@pytest.mark.parametrize("option", ["max_memory_mb", "max_cpu_time_seconds", "max_file_size_kb", "timeout_s"])
@pytest.mark.parametrize("value", [0, -1, -0.5, float("nan"), float("inf")])
def test_non_positive_limits_are_value_errors(tmp_path, option, value):
    with pytest.raises(ValueError):
        AutopoieticSandbox(temp_dir=tmp_path, **{option: value})
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "option, value",
    [("max_memory_mb", 1e30), ("max_memory_mb", 31), ("max_file_size_kb", 1e300), ("max_cpu_time_seconds", 1e8),
     ("timeout_s", 1e8), ("max_disk_mb", 1e20), ("max_open_files", 1 << 40), ("max_processes", 1 << 40)],
)
def test_limits_out_of_range_fail_at_construction(tmp_path, option, value):
    with pytest.raises(ValueError, match=option):
        AutopoieticSandbox(temp_dir=tmp_path, **{option: value})


@pytest.mark.parametrize("value", ["100", None, True, [1]])
def test_non_numeric_limits_are_type_errors(tmp_path, value):
    with pytest.raises(TypeError):
        AutopoieticSandbox(max_memory_mb=value, temp_dir=tmp_path)


@pytest.mark.parametrize("option", ["max_output_bytes", "max_code_bytes", "max_open_files"])
def test_integer_options_are_checked(tmp_path, option):
    with pytest.raises(ValueError):
        AutopoieticSandbox(temp_dir=tmp_path, **{option: 0})
    with pytest.raises(TypeError):
        AutopoieticSandbox(temp_dir=tmp_path, **{option: 1.5})


@pytest.mark.parametrize("option, bad, error", [("timeout_s", -1, ValueError), ("max_processes", 1.5, TypeError),
                                               ("max_output_bytes", 1 << 31, ValueError)])
def test_a_limit_set_after_construction_is_checked_and_keeps_its_value(idle_sandbox, option, bad, error):
    before = getattr(idle_sandbox, option)
    with pytest.raises(error, match=option):
        setattr(idle_sandbox, option, bad)
    assert getattr(idle_sandbox, option) == before


def test_a_limit_set_after_construction_applies_to_the_next_run(sandbox):
    sandbox.timeout_s = 0.5
    assert sandbox.timeout_s == sandbox.limits.timeout_s == 0.5
    result = sandbox.run_source("while True: pass")
    assert result["limit_exceeded"] in ("wall_time", "cpu_time") and result["execution_time"] < bound(5), result


def test_unusable_temp_dir_is_a_sandbox_error(tmp_path):
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    with pytest.raises(SandboxError, match="work directory"):
        AutopoieticSandbox(temp_dir=not_a_dir)
    with pytest.raises(SandboxError, match="work directory"):
        AutopoieticSandbox(temp_dir=tmp_path / "missing" / "deeper")


def test_run_source_is_not_validated(sandbox):
    result = sandbox.run_source("import os\nprint('pid', os.getpid())")
    assert result["success"] is True, result["error"]
    assert result["security_validated"] is False
    assert result["output"].startswith("pid ")


def test_run_source_sys_exit_zero_is_success(sandbox):
    result = sandbox.run_source("import sys\nprint('done')\nsys.exit(0)")
    assert result["success"] is True
    assert result["output"] == "done\n"


def test_validate_code_false_skips_the_validator(tmp_path, execution_mode):
    with AutopoieticSandbox(temp_dir=tmp_path, validate_code=False) as sb:
        result = sb.execute_component(component("import os\nreturn os.getpid()"), "sample")
    assert result["success"] is True, result["error"]
    assert result["security_validated"] is False


def test_cleanup_is_idempotent_and_final(tmp_path):
    sb = AutopoieticSandbox(temp_dir=tmp_path)
    root = Path(sb._root)
    assert root.is_dir()
    sb.cleanup()
    sb.cleanup()
    assert not root.exists()
    with pytest.raises(SandboxError, match="cleaned up"):
        sb.execute_component(component(), "sample")


def test_context_manager_cleans_up(tmp_path, execution_mode):
    with AutopoieticSandbox(temp_dir=tmp_path) as sb:
        assert sb.execute_component(component(), "sample")["success"]
        root = Path(sb._root)
    assert not root.exists()
    assert list(tmp_path.iterdir()) == []


def test_no_work_files_left_after_runs(sandbox):
    sandbox.execute_component(component(), "sample")
    sandbox.run_source("with open('scratch.txt', 'w') as f: f.write('x')")
    # Nothing a component wrote reaches the host; in warm mode the empty
    # mount point of the fork server's sandboxes stays until cleanup().
    left = [p for p in Path(sandbox._root).rglob("*") if not p.is_dir() or any(p.iterdir()) and p.name == "root"]
    assert left == []
    if sandbox.mode == "spawn":
        assert list(Path(sandbox._root).iterdir()) == []


def test_create_secure_sandbox_defaults(tmp_path):
    sb = create_secure_sandbox(temp_dir=tmp_path)
    try:
        assert (sb.max_memory_mb, sb.max_cpu_time_seconds, sb.max_file_size_kb) == (100, 30, 500)
        assert sb.timeout_s == 61  # 2 x the CPU limit + 1 s
        assert create_secure_sandbox(temp_dir=tmp_path, max_memory_mb=64).max_memory_mb == 64
    finally:
        sb.cleanup()


def test_concurrent_calls_do_not_share_files(sandbox):
    """Each run has its own work directory: same file name, own content."""
    results = {}

    def work(token: str) -> None:
        src = (
            "import time\n"
            f"with open('shared_name.txt', 'w') as f: f.write({token!r})\n"
            "time.sleep(0.3)\n"
            "print(open('shared_name.txt').read())\n"
        )
        results[token] = sandbox.run_source(src)

    threads = [threading.Thread(target=work, args=(f"token-{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for token, result in results.items():
        assert result["success"], result["error"]
        assert result["output"].strip() == token


def test_require_isolation_env_is_read(tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOPOIETIC_REQUIRE_ISOLATION", "1")
    with AutopoieticSandbox(temp_dir=tmp_path) as sb:
        assert sb.require_isolation is True
    monkeypatch.setenv("AUTOPOIETIC_REQUIRE_ISOLATION", "0")
    with AutopoieticSandbox(temp_dir=tmp_path) as sb:
        assert sb.require_isolation is False


def test_work_directory_is_private(idle_sandbox):
    root = Path(idle_sandbox._root)
    assert root.stat().st_mode & 0o077 == 0
    assert root.stat().st_uid == os.geteuid()


def test_cleanup_during_a_run_cancels_it(tmp_path, execution_mode):
    sb = AutopoieticSandbox(temp_dir=tmp_path, timeout_s=60)
    results = []
    ready = ready_token()
    worker = threading.Thread(target=lambda: results.append(
        sb.run_source(announce(ready) + "import time\ntime.sleep(50)")))
    worker.start()
    wait_ready(ready)
    start = time.monotonic()
    sb.cleanup()
    worker.join(bound(10))
    assert not worker.is_alive() and time.monotonic() - start < bound(2)  # not the 50 s sleep
    result, = results
    assert result["success"] is False and result["signal"] == 9 and not result["timed_out"]
    assert result["error"].endswith("cancelled: cleanup() was called during the run; the process tree was killed")
    assert set(result) == set(ExecutionResult.__annotations__)
    with pytest.raises(SandboxError, match="cleaned up"):
        sb.run_source("pass")
