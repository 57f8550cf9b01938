"""It keeps working under load and faults: threads, executors, worker
processes, fork, signals, a temp dir that disappears or fills up."""

from __future__ import annotations

import concurrent.futures
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import textwrap
import threading
import time
import uuid

import pytest

from autopoietic.sandbox import AutopoieticSandbox, SandboxError

from helpers import announce, bound, ready_token, require, require_root, run_as_nobody, wait_ready

# every test here starts sandboxes: each runs in both execution modes
# (docs/design.md, "Execution modes"); the load tests (thousands of runs,
# pools of threads and processes) are slow, the fault tests fast
pytestmark = pytest.mark.usefixtures("execution_mode")

TOKEN_SOURCE = "print({token!r})"


def run_tokens(sandbox: AutopoieticSandbox, tokens: list[str]) -> list[tuple[str, dict]]:
    return [(t, sandbox.run_source(TOKEN_SOURCE.format(token=t))) for t in tokens]


def check_token_results(pairs: list[tuple[str, dict]]) -> None:
    bad = [(t, r["error"][-300:]) for t, r in pairs if not r["success"] or r["output"] != t + "\n"]
    assert not bad, bad[:3]


@pytest.mark.slow  # 20-75 s here
@pytest.mark.parametrize("shared", [True, False], ids=["one-sandbox", "a-sandbox-each"])
def test_eight_threads_two_hundred_runs_each(tmp_path, shared):
    """8 x 200 runs at once: every result right, no output crosses runs, no deadlock."""
    common = AutopoieticSandbox(temp_dir=tmp_path, timeout_s=30) if shared else None
    results: list[tuple[str, dict]] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        sandbox = common or AutopoieticSandbox(temp_dir=tmp_path, timeout_s=30)
        try:
            pairs = run_tokens(sandbox, [f"w{n}-r{i}-{uuid.uuid4().hex[:8]}" for i in range(200)])
        finally:
            if common is None:
                sandbox.cleanup()
        with lock:
            results.extend(pairs)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not any(t.is_alive() for t in threads), "deadlock: a worker never finished"
    if common is not None:
        common.cleanup()
    assert len(results) == 1600
    check_token_results(results)
    assert time.monotonic() - start < bound(300)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow  # 2-6 s here
def test_thread_pool_executor(tmp_path):
    with AutopoieticSandbox(temp_dir=tmp_path, timeout_s=30) as sandbox:
        tokens = [f"pool-{i}" for i in range(100)]
        with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
            outputs = list(pool.map(lambda t: sandbox.run_source(TOKEN_SOURCE.format(token=t)), tokens))
    check_token_results(list(zip(tokens, outputs)))


def _process_worker(args: tuple[str, list[str]]) -> list[tuple[str, bool, str]]:
    temp_dir, tokens = args
    with AutopoieticSandbox(temp_dir=temp_dir, timeout_s=30) as sandbox:
        return [(t, r["success"], r["output"]) for t, r in run_tokens(sandbox, tokens)]


@pytest.mark.slow  # 2-5 s here
@pytest.mark.parametrize("method", ["spawn", "fork"])
def test_multiprocessing_workers(tmp_path, method):
    chunks = [(str(tmp_path), [f"{method}-{w}-{i}" for i in range(15)]) for w in range(4)]
    with multiprocessing.get_context(method).Pool(2) as pool:
        results = [item for chunk in pool.map(_process_worker, chunks) for item in chunk]
    assert len(results) == 60
    assert all(ok and out == t + "\n" for t, ok, out in results), results[:3]


def test_fork_while_a_sandbox_exists(tmp_path):
    """A forked copy uses the sandbox and exits; the creator's directory
    and runs are unaffected."""
    script = textwrap.dedent(f"""
        import json, os
        from autopoietic.sandbox import AutopoieticSandbox
        sb = AutopoieticSandbox(temp_dir={str(tmp_path)!r}, timeout_s=20)
        pid = os.fork()
        if pid == 0:
            ok = sb.run_source("print('child')")["output"] == "child\\n"
            raise SystemExit(0 if ok else 3)  # a normal exit: finalizers run
        _, status = os.waitpid(pid, 0)
        alive = os.path.isdir(sb._root)
        after = sb.run_source("print('parent')")
        print(json.dumps({{"child_status": status, "root_alive": alive, "after": after["output"]}}))
        sb.cleanup()
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.splitlines()[-1])
    assert out == {"child_status": 0, "root_alive": True, "after": "parent\n"}
    assert list(tmp_path.iterdir()) == []


def test_temp_dir_deleted_while_in_use(tmp_path):
    with AutopoieticSandbox(temp_dir=tmp_path, timeout_s=20) as sandbox:
        results = []
        ready = ready_token()
        source = announce(ready) + "import time\ntime.sleep(0.5)\nprint('done')"
        thread = threading.Thread(target=lambda: results.append(sandbox.run_source(source)))
        thread.start()
        wait_ready(ready)
        shutil.rmtree(sandbox._root)  # someone cleans /tmp while a run is in flight
        thread.join()
        assert results[0]["output"] == "done\n"  # the running sandbox no longer needs the host directory
        again = sandbox.run_source("print('again')")
        assert again["success"] and again["output"] == "again\n"  # the directory is made anew


def test_cleanup_twice_and_use_after_cleanup(tmp_path):
    sandbox = AutopoieticSandbox(temp_dir=tmp_path)
    sandbox.cleanup()
    sandbox.cleanup()
    with pytest.raises(SandboxError, match="cleaned up"):
        sandbox.run_source("print(1)")


def test_full_temp_dir_is_a_clear_error(tmp_path):
    """A temp_dir on a file system with no inode left (mounted in a private
    mount namespace)."""
    require_root("mounting a full tmpfs")
    require(shutil.which("unshare") is not None, "unshare(1) to mount a full tmpfs")
    full = tmp_path / "full"
    full.mkdir()
    script = textwrap.dedent(f"""
        import os
        from autopoietic.sandbox import AutopoieticSandbox, SandboxError
        for i in range(100):
            try:
                os.mkdir(os.path.join({str(full)!r}, f"fill{{i}}"))
            except OSError:
                break
        try:
            AutopoieticSandbox(temp_dir={str(full)!r})
            print("created")
        except SandboxError as exc:
            print("refused:", exc)
    """)
    proc = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c",
                           f'mount -t tmpfs -o size=64k,nr_inodes=8 tmpfs "{full}" && exec "$0" -c "$1"',
                           sys.executable, script], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("refused: cannot create the sandbox's work directory"), proc.stdout
    assert "No space left on device" in proc.stdout


def test_unwritable_temp_dir_is_a_clear_error(nobody_python):
    proc = run_as_nobody(nobody_python, textwrap.dedent("""
        from autopoietic.sandbox import AutopoieticSandbox, SandboxError
        try:
            AutopoieticSandbox(temp_dir="/proc")
        except SandboxError as exc:
            print("refused:", exc)
    """))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("refused: cannot create the sandbox's work directory under '/proc'")


def test_directories_of_killed_callers_are_removed(tmp_path):
    """A caller killed with SIGKILL cannot clean up; the next sandbox in the
    same temp_dir removes what it left (and nothing of live callers)."""
    script = textwrap.dedent(f"""
        import os, signal
        from autopoietic.sandbox import AutopoieticSandbox
        sb = AutopoieticSandbox(temp_dir={str(tmp_path)!r})
        print(sb._root, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    left = proc.stdout.strip()
    assert os.path.isdir(left)
    with AutopoieticSandbox(temp_dir=tmp_path) as live:
        assert not os.path.exists(left)
        with AutopoieticSandbox(temp_dir=tmp_path) as other:
            assert os.path.isdir(live._root) and os.path.isdir(other._root)  # live ones stay
