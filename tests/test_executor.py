"""autopoietic.executor.SandboxExecutor: a real concurrent.futures.Executor
whose workers run components in the sandbox."""

from __future__ import annotations

import concurrent.futures
import os
import threading
import time
import uuid

import pytest

from autopoietic.executor import SandboxExecutor
from autopoietic.sandbox import SandboxError

from helpers import (announce, bound, children_of, component, descendants, eventually, host_processes_with,
                     ready_token, wait_ready)

# Tests that run components run in both execution modes (docs/design.md,
# "Execution modes"); the constructor's checks run once.

SERVER_MARK = "_autopoietic_serve"  # in every fork server's command line


def own_servers() -> list[int]:
    """Fork servers whose parent is this process."""
    children = {pid for pid, _ in children_of(os.getpid())}
    return [pid for pid in host_processes_with(SERVER_MARK) if pid in children]


def test_is_an_executor(tmp_path):
    with SandboxExecutor(max_workers=2, temp_dir=tmp_path) as pool:
        assert isinstance(pool, concurrent.futures.Executor)
        assert pool.submit(sum, [1, 2, 3]).result() == 6  # plain callables run on a worker, as in any Executor
        assert list(pool.map(abs, [-1, -2])) == [1, 2]


@pytest.mark.slow  # 5-17 s here
def test_500_submissions_on_4_workers(tmp_path, execution_mode):
    token = uuid.uuid4().hex
    with SandboxExecutor(max_workers=4, temp_dir=tmp_path, timeout_s=30) as pool:
        futures = {pool.submit_component(component(f"print('{token}-{i}')"), f"c{i}"): i for i in range(400)}
        futures.update({pool.submit_source(f"print('{token}-{i}')"): i for i in range(400, 500)})
        for future in concurrent.futures.as_completed(futures):
            result = future.result()
            i = futures[future]
            assert result["success"], result
            assert result["output"].splitlines()[0] == f"{token}-{i}"
            assert result["security_validated"] is (i < 400)
    assert own_servers() == []
    assert list(tmp_path.iterdir()) == []


def test_map_components_keeps_order(tmp_path, execution_mode):
    items = [(component(f"print({i})"), f"m{i}") for i in range(20)]
    with SandboxExecutor(max_workers=3, temp_dir=tmp_path) as pool:
        outputs = [r["output"].splitlines()[0] for r in pool.map_components(items)]
    assert outputs == [str(i) for i in range(20)]


def test_submissions_take_the_per_call_options(tmp_path, execution_mode):
    with SandboxExecutor(max_workers=2, temp_dir=tmp_path) as pool:
        echo = pool.submit_source("import sys\nopen('o', 'w').write(sys.stdin.read() + open('i').read())",
                                  stdin="in+", files={"i": "file"}, fetch=["o"])
        slow = pool.submit_component(component("import time\ntime.sleep(5)", prelude="import time"), "slow",
                                     timeout_s=0.5)
        assert echo.result()["files"] == {"o": b"in+file"}
        assert slow.result()["status"] == "timeout"


def test_a_refused_component_fails_its_future_only(tmp_path, execution_mode):
    with SandboxExecutor(max_workers=2, temp_dir=tmp_path) as pool:
        bad = pool.submit_component("import os\n", "bad")
        good = pool.submit_component(component("print('fine')"), "good")
        with pytest.raises(SandboxError, match="refused by the validator"):
            bad.result()
        assert good.result()["success"]
        with pytest.raises(TypeError):
            pool.submit_component(b"bytes", "x").result()


def test_exceptions_in_callbacks_do_not_kill_workers(tmp_path, caplog, execution_mode):
    def explode(future):
        raise RuntimeError("a callback that fails")

    with SandboxExecutor(max_workers=2, temp_dir=tmp_path) as pool:
        for i in range(6):
            pool.submit_source(f"print({i})").add_done_callback(explode)
        later = [pool.submit_source(f"print({i})") for i in range(6)]
        assert [f.result()["output"] for f in later] == [f"{i}\n" for i in range(6)]
    assert "a callback that fails" in caplog.text  # logged by concurrent.futures, not lost


def test_shutdown_cancel_futures_kills_running_sandboxes_quickly(tmp_path, execution_mode):
    others = set(descendants(os.getpid()))  # other tests' processes, if any are still going
    pool = SandboxExecutor(max_workers=2, temp_dir=tmp_path, timeout_s=120)
    tokens = [ready_token() for _ in range(2)]
    running = [pool.submit_source(announce(t) + "import time\ntime.sleep(100)") for t in tokens]
    pending = [pool.submit_source("print('never')") for _ in range(5)]
    for t in tokens:
        wait_ready(t)  # both long runs are in their sandboxes
    assert not any(f.done() for f in running)
    assert len(set(descendants(os.getpid())) - others) >= 4  # an init and a main process per run, at least
    start = time.monotonic()
    pool.shutdown(wait=True, cancel_futures=True)
    assert time.monotonic() - start < bound(2.0)  # not the 100 s sleeps
    assert all(f.cancelled() for f in pending)
    for f in running:
        result = f.result()
        assert result["success"] is False and "cancelled" in result["error"], result
    assert set(descendants(os.getpid())) - others == set()  # no sandbox, no fork server
    with pytest.raises(RuntimeError, match="after shutdown"):
        pool.submit_source("pass")


def test_shutdown_without_waiting_cleans_up_when_the_queue_is_done(tmp_path, execution_mode):
    pool = SandboxExecutor(max_workers=1, temp_dir=tmp_path)
    futures = [pool.submit_source(f"print({i})") for i in range(3)]
    pool.shutdown(wait=False)
    assert [f.result()["output"] for f in futures] == ["0\n", "1\n", "2\n"]
    assert eventually(lambda: list(tmp_path.iterdir()) == [], 10)


def test_bad_options_fail_at_construction(tmp_path):
    with pytest.raises(ValueError):
        SandboxExecutor(max_workers=0)
    with pytest.raises(TypeError):
        SandboxExecutor(max_workers="4")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        SandboxExecutor(max_workers=2, max_memory_mb=-1, temp_dir=tmp_path)
    with pytest.raises(TypeError):
        SandboxExecutor(max_workers=2, no_such_option=1, temp_dir=tmp_path)
    assert threading.active_count() >= 1
