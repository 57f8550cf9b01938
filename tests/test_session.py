"""Sessions (docs/api.md, "Sessions"): one sandboxed interpreter, cell after
cell, in both execution modes, on the real kernel."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from autopoietic.sandbox import AutopoieticSandbox, SandboxError

from helpers import announce, bound, descendants, eventually, processes_named, ready_token, wait_ready


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def _fd_targets() -> list[str]:
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            found.append(os.readlink(f"/proc/self/fd/{fd}"))
        except OSError:
            pass
    return sorted(found)


def test_state_imports_and_files_persist(sandbox):
    with sandbox.session() as s:
        first = s.run("import json\nx = 41\nopen('kept.txt', 'w').write('from cell 1')\nprint('one')")
        assert first["success"], first
        assert (first["stdout"], first["cell"], first["session_ended"]) == ("one\n", 1, False)
        second = s.run("print(x + 1, json.dumps([x]), open('kept.txt').read())")
        assert second["success"], second
        assert second["stdout"] == "42 [41] from cell 1\n"  # only this cell's output
        assert second["cell"] == 2
        assert second["isolation"] == "unshare-namespaces"
        assert second["namespaces"] == first["namespaces"] != []
        assert second["security_validated"] is False


def test_cell_io_stdin_files_fetch(sandbox):
    with sandbox.session() as s:
        r = s.run("import sys\ndata = sys.stdin.read()\nprint(data.upper())", stdin="abc")
        assert r["stdout"] == "ABC\n", r
        r = s.run("print(repr(sys.stdin.read()))")  # no stdin given: /dev/null, not the last cell's
        assert r["stdout"] == "''\n", r
        r = s.run("open('out.bin', 'wb').write(open('in/x.txt', 'rb').read() * 2)",
                  files={"in/x.txt": b"xy"}, fetch=["out.bin", "missing"])
        assert r["success"], r
        assert r["files"] == {"out.bin": b"xyxy"}
        assert "missing" in r["fetch_errors"]
        r = s.run("print(open('in/x.txt').read())", files={"in/x.txt": "replaced"})
        assert r["stdout"] == "replaced\n", r


def test_exception_keeps_the_session(sandbox):
    with sandbox.session() as s:
        s.run("value = 'kept'")
        r = s.run("raise ValueError('boom')")
        assert not r["success"] and r["status"] == "error" and not r["session_ended"], r
        assert "ValueError: boom" in r["stderr"] and '<cell 2>' in r["stderr"], r["stderr"]
        r = s.run("import sys\nsys.exit(3)")
        assert not r["success"] and not r["session_ended"], r
        r = s.run("print(value)")
        assert r["success"] and r["stdout"] == "kept\n", r
        assert s.alive


def test_timeout_ends_the_session_and_its_processes(sandbox):
    token = ready_token()
    with sandbox.session(timeout_s=1) as s:
        r = s.run(announce(token) + "import time\ntime.sleep(60)")
        assert r["timed_out"] and r["status"] == "timeout" and r["session_ended"], r
        assert r["execution_time"] < bound(10), r
        assert "the session ended" in r["error"], r["error"]
        assert not s.alive
        assert eventually(lambda: not processes_named(token)), "the timed-out session left a process"
        with pytest.raises(SandboxError, match="the session has ended: cell 1 timed out"):
            s.run("print(1)")


def test_memory_limit_ends_the_session(sandbox):
    with sandbox.session(max_memory_mb=64) as s:
        r = s.run("x = bytearray(512 * 1024 * 1024)")
        assert r["limit_exceeded"] == "memory" and r["session_ended"], r
        with pytest.raises(SandboxError):
            s.run("print(1)")


def test_cpu_budget_is_the_whole_sessions(sandbox):
    burn = "import time\nend = time.process_time() + 0.7\nwhile time.process_time() < end:\n    pass\n"
    with sandbox.session(max_cpu_time_seconds=1, timeout_s=30) as s:
        first = s.run(burn)
        assert first["success"], first  # 0.7 s of the budget of 1 s
        assert 0.5 < first["cpu_time_s"] < 5, first
        second = s.run(burn)  # the same again: over the session's budget
        assert second["limit_exceeded"] == "cpu_time" and second["session_ended"], second
        assert "CPU time budget of 1 s" in second["error"], second["error"]


def test_idle_timeout_ends_the_session(sandbox):
    s = sandbox.session(idle_timeout_s=0.5)
    try:
        assert s.run("x = 1")["success"]
        assert eventually(lambda: not s.alive, timeout=10), "the idle session was not ended"
        assert "idle" in (s.ended or "")
        with pytest.raises(SandboxError, match="idle"):
            s.run("print(x)")
    finally:
        s.close()


def test_output_over_the_cap_keeps_the_session(sandbox):
    with sandbox.session(max_output_bytes=1000) as s:
        r = s.run("print('x' * 100000)")
        assert r["output_truncated"] and len(r["stdout"]) == 1000, r["limit_exceeded"]
        assert not r["session_ended"]
        assert s.run("print('still here')")["stdout"] == "still here\n"


def test_twenty_cells_leak_no_fd_or_process(sandbox):
    with sandbox.session() as s:  # warm-up: the worker thread and its fork server
        s.run("pass")
    before, targets = _open_fds(), _fd_targets()
    with sandbox.session() as s:
        for i in range(3):
            s.run(f"print({i})")
        time.sleep(0.5)  # warm mode: the worker's fork server prepares its next sandbox meanwhile
        fds, procs = _open_fds(), len(descendants(os.getpid()))
        for i in range(20):
            r = s.run(f"n = {i}\nprint(n)", stdin="x", files={"f.txt": "y"}, fetch=["f.txt"])
            assert r["success"] and r["stdout"] == f"{i}\n", r
        assert _open_fds() == fds
        assert eventually(lambda: len(descendants(os.getpid())) <= procs), descendants(os.getpid())
    assert eventually(lambda: len(descendants(os.getpid())) <= procs)
    # nothing of the session is left open either
    assert eventually(lambda: _open_fds() == before), (targets, _fd_targets())


def test_close_kills_what_a_cell_left_running(sandbox):
    token = ready_token()
    s = sandbox.session()
    r = s.run(textwrap.dedent(f"""
        import subprocess, sys
        subprocess.Popen([sys.executable, "-c", "open('/proc/self/comm', 'w').write({token!r}); "
                          "import time; time.sleep(120)"])
    """))
    assert r["success"], r
    wait_ready(token)
    assert s.run("print('alive')")["success"]  # a background process does not end the cell
    s.close()
    assert not s.alive and s.ended == "the session was closed"
    assert eventually(lambda: not processes_named(token)), "close() left a process of the session"
    s.close()  # twice is fine


def test_close_from_another_thread_during_a_cell(sandbox):
    token = ready_token()
    s = sandbox.session(timeout_s=60)
    results = []
    worker = threading.Thread(target=lambda: results.append(s.run(announce(token) + "import time\ntime.sleep(60)")))
    worker.start()
    wait_ready(token)
    started = time.monotonic()
    s.close()
    worker.join(bound(10))
    assert not worker.is_alive()
    assert time.monotonic() - started < bound(10)
    (r,) = results
    assert r["session_ended"] and not r["success"], r
    assert "the session was closed" in r["error"], r["error"]
    assert not processes_named(token)


def test_sessions_are_capped_per_sandbox(tmp_path, execution_mode):
    with AutopoieticSandbox(temp_dir=tmp_path, max_sessions=2) as sb:
        first, second = sb.session(), sb.session()
        with pytest.raises(SandboxError, match="max_sessions=2"):
            sb.session()
        first.close()
        third = sb.session()
        assert third.run("print(3)")["stdout"] == "3\n"
        assert second.run("print(2)")["stdout"] == "2\n"
        third.close()
        second.close()


def test_cleanup_kills_open_sessions(tmp_path, execution_mode):
    token = ready_token()
    sb = AutopoieticSandbox(temp_dir=tmp_path)
    s = sb.session()
    s.run(announce(token))  # the interpreter waits for its next cell under this name
    assert processes_named(token)
    sb.cleanup()
    assert not s.alive
    assert eventually(lambda: not processes_named(token)), "cleanup() left a session's process"
    with pytest.raises(SandboxError):
        s.run("print(1)")
    with pytest.raises(SandboxError):
        sb.session()


def test_streaming_callbacks_get_a_cells_chunks_as_they_come(sandbox):
    chunks: list[tuple[float, bytes]] = []
    with sandbox.session() as s:
        started = time.monotonic()
        r = s.run("import sys, time\nprint('early', flush=True)\ntime.sleep(1)\nprint('late')\n"
                  "sys.stderr.write('err')",
                  on_stdout=lambda c: chunks.append((time.monotonic() - started, c)),
                  on_stderr=lambda c: chunks.append((-1, c)))
        assert r["success"], r
    assert b"".join(c for t, c in chunks if t >= 0) == b"early\nlate\n"
    assert [c for t, c in chunks if t < 0] == [b"err"]
    assert chunks[0][1] == b"early\n" and chunks[0][0] < 0.9  # before the sleep ended


def test_a_raising_callback_ends_the_session(sandbox):
    def refuse(chunk: bytes) -> None:
        raise RuntimeError("no more")

    with sandbox.session() as s:
        with pytest.raises(RuntimeError, match="no more"):
            s.run("print('x', flush=True)\nimport time\ntime.sleep(30)", on_stdout=refuse)
        assert eventually(lambda: not s.alive)


def test_bad_arguments(idle_sandbox):
    with pytest.raises(TypeError, match="idle_timeout_s"):
        idle_sandbox.session(idle_timeout_s="soon")
    with pytest.raises(ValueError, match="lifetime_s|timeout_s"):
        idle_sandbox.session(lifetime_s=-1)
    with pytest.raises(TypeError, match="unknown keyword argument 'max_threads'"):
        idle_sandbox.session(max_threads=3)
    with pytest.raises(TypeError, match="max_sessions"):
        AutopoieticSandbox(max_sessions="2")
    with pytest.raises(ValueError, match="max_sessions"):
        AutopoieticSandbox(max_sessions=0)
    with idle_sandbox.session() as s:
        with pytest.raises(TypeError, match="source must be str"):
            s.run(b"print(1)")
        with pytest.raises(SandboxError, match=r"\.\."):
            s.run("pass", files={"../escape": "x"})
        with pytest.raises(ValueError, match="timeout_s"):
            s.run("pass", timeout_s=0)
        with pytest.raises(TypeError, match="on_stdout"):
            s.run("pass", on_stdout="print")
        assert s.run("print('fine')")["stdout"] == "fine\n"  # nothing of that reached it


def test_an_open_session_does_not_hold_the_interpreter_at_exit(tmp_path, execution_mode):
    token = ready_token()
    script = textwrap.dedent(f"""
        from autopoietic.sandbox import AutopoieticSandbox
        sandbox = AutopoieticSandbox(temp_dir={str(tmp_path)!r})
        session = sandbox.session()  # never closed
        print(session.run({announce(token)!r} + "x = 1")["status"])
    """)
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and proc.stdout == "ok\n", proc.stderr
    assert time.monotonic() - started < bound(15)  # not the session's lifetime (3600 s)
    assert eventually(lambda: not processes_named(token)), "the session outlived its interpreter"
