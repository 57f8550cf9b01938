"""Attack: a cell breaks its session's protocol with the host (docs/design.md,
"Sessions"): it floods its stdout from processes it leaves behind, forges
its own verdict and keeps running, writes a verdict whose length never
comes, closes the session's socket, or ends the interpreter mid-cell.
Expected (held): the host's run() returns within the cell's timeout (or
the idle timeout and its grace) with a clear result; a session the cell
broke ends, every process of it is reaped, and its slot is free again."""

from __future__ import annotations

import textwrap
import time

import pytest

from autopoietic.sandbox import AutopoieticSandbox, SandboxError

from helpers import announce, bound, eventually, processes_named, ready_token

FLOOD = textwrap.dedent("""
    import ctypes, fcntl, os
    libc = ctypes.CDLL(None, use_errno=True)
    for _ in range(6):
        if os.fork() == 0:
            r, w = os.pipe()
            os.write(w, b"x" * 65536)
            while True:
                libc.tee(r, 1, 1 << 20, 0)  # page references: no CPU to speak of per byte
""")

FORGED = textwrap.dedent("""
    import os, time
    nonce = os.read(3, 4096).decode()
    verdict = "\\x1f".join([nonce, "ok", "", "", "0", "", "0.000001"]).encode()
    os.write(4, b"%010d" % len(verdict) + verdict)
    os.close(4)
    while True:
        time.sleep(1)  # "done", and going on
""")


@pytest.fixture
def sandbox(tmp_path, execution_mode):
    with AutopoieticSandbox(temp_dir=tmp_path, max_sessions=1) as sb:
        yield sb


def test_processes_left_flooding_stdout_do_not_hold_the_cell(sandbox):
    with sandbox.session(timeout_s=5) as s:
        started = time.monotonic()
        r = s.run(FLOOD)
        assert time.monotonic() - started < bound(4), "the read after the verdict did not stop"
        assert not r["session_ended"], r  # (truncated or not: how fast the writers were)
        assert s.run("print('next')")["stdout"] == "next\n"


def test_a_forged_verdict_is_the_cells_own_and_the_idle_timeout_still_ends_it(sandbox):
    token = ready_token()
    s = sandbox.session(timeout_s=2, idle_timeout_s=1)
    r = s.run(announce(token) + FORGED)
    assert r["success"]  # the cell's own claim: a session is one program (threat-model.md)
    assert processes_named(token)
    # its interpreter never reads the socket again: closed at 1 s, killed 5 s later
    assert eventually(lambda: not processes_named(token), timeout=15), "the idle session was not killed"
    assert not s.alive and "idle" in (s.ended or "")
    sandbox.session().close()  # its slot is free (max_sessions=1)
    s.close()


def test_a_verdict_that_never_ends_times_the_cell_out(sandbox):
    with sandbox.session(timeout_s=1) as s:
        r = s.run("import os\nos.write(4, b'9999999999')\nimport time\ntime.sleep(30)")
        assert r["timed_out"] and r["session_ended"], r
        with pytest.raises(SandboxError):
            s.run("pass")


def test_the_interpreter_ending_mid_cell_ends_the_session(sandbox):
    with sandbox.session() as s:
        r = s.run("import os\nprint('bye', flush=True)\nos._exit(7)")
        assert r["session_ended"] and r["exit_code"] == 7 and r["stdout"] == "bye\n", r
        assert "exited with status 7" in r["error"], r["error"]


def test_closing_the_sessions_socket_ends_it(sandbox):
    s = sandbox.session()
    r = s.run("import os\nos.close(6)")
    assert r["success"], r  # this cell finished; the next finds the session gone
    try:
        after = s.run("print(1)")
    except SandboxError:
        pass
    else:
        assert after["session_ended"], after
    assert eventually(lambda: not s.alive)
    s.close()


def test_a_huge_timeout_is_a_timeout(sandbox):
    with sandbox.session() as s:
        assert s.run("print(1)", timeout_s=3e6)["stdout"] == "1\n"  # poll() takes a second at a time


def test_a_forked_child_that_returns_is_no_second_runner(sandbox):
    with sandbox.session() as s:
        r = s.run("import os, sys\nwho = 'child' if os.fork() == 0 else 'parent'\nprint(who, end=' ')")
        assert not r["session_ended"] and "malformed" not in r["error"], r
        # the parent's output, and the child's if it came before the verdict
        assert r["stdout"].split().count("parent") == 1 and set(r["stdout"].split()) <= {"child", "parent"}, r
        later = [s.run("print(who, os.getpid())")["stdout"] for _ in range(6)]
        assert later == [later[0]] * 6 and later[0].startswith("parent"), later
