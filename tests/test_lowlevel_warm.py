"""The C boundary of warm mode: _sandbox.prepare() and the Prepared object
(go, wait, cancel, enter), driven the way the fork server drives them.
prepare() is for single-threaded processes, so each case runs in a fresh
interpreter."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import textwrap

import pytest

PY = sys.executable  # the venv's: autopoietic is importable

PRELUDE = textwrap.dedent("""
    import json, os, sys, threading, time
    from autopoietic import _sandbox
    NS = ("user", "pid", "ipc", "uts", "net", "mnt", "cgroup")
    # _sandbox has no defaults: what these namespaces need is given here
    NEEDS = {"hostname": "sandbox", "uid_map": f"65534 {os.geteuid()} 1\\n",
             "gid_map": f"65534 {os.getegid()} 1\\n"}
    def pipes():
        ends = [os.pipe2(os.O_CLOEXEC) for _ in range(4)]
        source = os.memfd_create("source", os.MFD_CLOEXEC)
        stdin = os.open("/dev/null", os.O_RDONLY | os.O_CLOEXEC)
        child = (stdin, ends[0][1], ends[1][1], ends[2][0], ends[3][1], source)
        return ends, child
    def prepare(**kw):
        kw.setdefault("namespaces", NS)
        kw.setdefault("timeout_s", 10)
        return _sandbox.prepare([sys.executable], [], "/", **{**NEEDS, **kw})
    errors = {}
    def attempt(name, f):
        # the exception f() raises, by name, into errors[name]
        try:
            f()
        except Exception as exc:
            errors[name] = type(exc).__name__
    def finish(p):
        # wait() and decode the outcome it sends, as _forkserver.py does
        import socket, struct
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        p.wait(theirs)
        r = dict(zip(_sandbox.REPLY_FIELDS, struct.unpack(_sandbox.REPLY_FORMAT, ours.recv(1024))))
        stage = r["setup_stage"]
        r["setup_error"] = [_sandbox.STAGES[stage], r["setup_errno"], r["setup_detail"]] if stage else None
        return r
""")


def script(body: str) -> dict:
    """Run PRELUDE + body in a fresh interpreter; body prints one JSON line."""
    proc = subprocess.run([PY, "-c", PRELUDE + textwrap.dedent(body)], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.splitlines()[-1])


def test_prepare_go_wait_runs_in_the_sandbox():
    out = script("""
        ends, child = pipes()
        p = prepare()
        if p.in_sandbox:
            p.enter()
            print(os.getpid(), os.getuid(), sorted(int(f) for f in os.listdir("/proc/self/fd")))
            sys.stdout.flush()
            os._exit(3)
        time.sleep(0.2)
        p.go(child)
        for fd in child:
            os.close(fd)
        result = finish(p)
        print(json.dumps({"result": result,
                          "stdout": os.read(ends[0][0], 1000).decode()}))
    """)
    assert out["result"]["exit_code"] == 3 and out["result"]["setup_error"] is None
    pid, uid, fds = out["stdout"].split(" ", 2)
    assert pid == "2" and uid == "65534"
    assert fds.strip() == "[0, 1, 2, 3, 4, 5, 6]"  # 0-5 and the listing's own fd


def test_misuse_raises():
    out = script("""
        ends, child = pipes()
        attempt("nonce", lambda: prepare(nonce=b"x"))
        attempt("source_fd", lambda: prepare(source_fd=0))
        attempt("stdin_fd", lambda: prepare(stdin_fd=0))
        attempt("no pid namespace", lambda: prepare(namespaces=("user", "mnt")))
        attempt("bad timeout", lambda: prepare(timeout_s=0))
        p = prepare()
        if p.in_sandbox:
            p.enter()
            os._exit(0)
        attempt("wait before go", lambda: p.wait(1))
        attempt("enter outside", p.enter)
        attempt("go with 5 fds", lambda: p.go(child[:5]))
        attempt("go with -1", lambda: p.go((-1,) + child[1:]))
        p.go(child)
        attempt("go twice", lambda: p.go(child))
        finish(p)
        blocker = threading.Event()
        t = threading.Thread(target=blocker.wait)
        t.start()
        attempt("threads", prepare)
        blocker.set()
        t.join()
        print(json.dumps(errors))
    """)
    assert out == {"nonce": "ValueError", "source_fd": "ValueError", "stdin_fd": "ValueError",
                   "no pid namespace": "ValueError",
                   "bad timeout": "ValueError", "wait before go": "ValueError", "enter outside": "ValueError",
                   "go with 5 fds": "TypeError", "go with -1": "ValueError", "go twice": "ValueError",
                   "threads": "RuntimeError"}


def test_cancel_and_garbage_leave_no_process():
    out = script("""
        def children():
            found = []
            for entry in os.listdir("/proc"):
                if entry.isdigit():
                    try:
                        stat = open(f"/proc/{entry}/stat").read().rsplit(")", 1)[1].split()
                    except OSError:
                        continue
                    if int(stat[1]) == os.getpid():
                        found.append(entry)
            return found
        p = prepare()
        if p.in_sandbox:
            p.enter()
            os._exit(0)
        q = prepare()
        if q.in_sandbox:
            q.enter()
            os._exit(0)
        before = len(children())
        p.cancel()
        del q
        print(json.dumps([before, children()]))
    """)
    assert out == [2, []]


def test_the_timeout_counts_from_go_and_kills_the_sandbox():
    out = script("""
        ends, child = pipes()
        p = prepare(timeout_s=0.5)
        if p.in_sandbox:
            p.enter()
            time.sleep(60)
            os._exit(0)
        time.sleep(1.0)  # longer than the timeout: it must not count yet
        start = time.monotonic()
        p.go(child)
        r = finish(p)
        print(json.dumps([bool(r["timed_out"]), r["signal"], time.monotonic() - start, r["wall_s"]]))
    """)
    timed_out, sig, elapsed, wall = out
    assert timed_out is True and sig == 9
    assert 0.5 <= wall < 5 and 0.5 <= elapsed < 5


def test_a_setup_failure_is_reported_by_wait():
    out = script("""
        ends, child = pipes()
        p = prepare(mounts=[("bind", "/no/such/dir", "/tmp/x", 0, None)])
        if p.in_sandbox:
            os._exit(99)  # unreachable: init fails before the fork
        p.go(child)
        r = finish(p)
        print(json.dumps(r["setup_error"]))
    """)
    assert out[0] == "mount" and out[1] == 2  # ENOENT


@pytest.mark.parametrize("stage", ["rlimit", "chdir"])
def test_a_failure_after_the_go_is_reported(stage):
    # RLIMIT_NOFILE over fs.nr_open (1048576) fails for every user, root
    # included (a normal user's RLIMIT_CPU hard limit is often unlimited)
    option = {"rlimit": "rlimits=[(7, 1 << 30, 1 << 30)]",
              "chdir": "cwd='/no/such/dir'"}[stage]
    out = script(f"""
        ends, child = pipes()
        kw = dict({option})
        cwd = kw.pop("cwd", "/")
        p = _sandbox.prepare([sys.executable], [], cwd, namespaces=NS, timeout_s=10, **NEEDS, **kw)
        if p.in_sandbox:
            p.enter()
            os._exit(0)
        p.go(child)
        r = finish(p)
        print(json.dumps(r["setup_error"]))
    """)
    assert out[0] == stage


def test_the_reply_is_decoded_by_name_and_result_builds_the_run_dict():
    """REPLY_FIELDS names every field of REPLY_FORMAT, and result() turns a
    reply and collect()'s streams into the dict run() returns."""
    out = script("""
        import struct
        ends, child = pipes()
        p = prepare()
        if p.in_sandbox:
            p.enter()
            os._exit(3)
        p.go(child)
        r = finish(p)
        fmt = struct.Struct(_sandbox.REPLY_FORMAT)
        reply = fmt.pack(*(r[name] for name in _sandbox.REPLY_FIELDS))
        streams = {"stdout": b"out", "stderr": b"", "verdict": b"v", "stdout_truncated": False,
                   "stderr_truncated": True, "verdict_truncated": False, "replied": True, "cancelled": False}
        full = _sandbox.result(streams, reply)
        cancelled = _sandbox.result(streams, None, wall_s=1.5)
        print(json.dumps([len(_sandbox.REPLY_FIELDS), len(fmt.unpack(reply)), r["kind"] == _sandbox.REPLY_RESULT,
                          list(full) == list(_sandbox.RESULT_KEYS), full["exit_code"], full["stdout"].decode(),
                          full["stderr_truncated"], cancelled["signal"], cancelled["cancelled"],
                          cancelled["wall_s"], cancelled["cgroup_oom_kills"]]))
    """)
    assert out == [15, 15, True, True, 3, "out", True, 9, True, 1.5, -1]


def test_result_refuses_what_is_not_a_result():
    from autopoietic import _sandbox

    streams = {"stdout": b"", "stderr": b"", "verdict": b"", "stdout_truncated": False,
               "stderr_truncated": False, "verdict_truncated": False}
    size = struct.calcsize(_sandbox.REPLY_FORMAT)
    with pytest.raises(ValueError):
        _sandbox.result(streams, b"\0" * size)  # kind 0
    with pytest.raises(ValueError):
        _sandbox.result(streams, b"\1" + b"\0" * size)  # the wrong size
    bad_stage = struct.pack(_sandbox.REPLY_FORMAT, _sandbox.REPLY_RESULT, -1, -1, len(_sandbox.STAGES),
                            *[0] * 11)
    with pytest.raises(ValueError):
        _sandbox.result(streams, bad_stage)
    with pytest.raises(TypeError):
        _sandbox.result({"stdout": b""}, None)


def test_serve_misuse_raises_and_closes_the_requests_fds():
    out = script("""
        import socket
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        def serve(child, **kw):
            kw.setdefault("namespaces", NS)
            kw.setdefault("timeout_s", 10)
            return _sandbox.serve(theirs.fileno(), b"config", child, False, [sys.executable], [], "/",
                                  **{**NEEDS, **kw})
        attempt("no arguments", lambda: _sandbox.serve())
        attempt("five fds", lambda: _sandbox.serve(theirs.fileno(), b"config", (1, 2, 3, 4, 5)))
        ends, child = pipes()
        attempt("bad timeout", lambda: serve(child, timeout_s=0))
        closed = []
        for fd in child:
            try:
                os.fstat(fd)
            except OSError:
                closed.append(fd)
        errors["closed"] = closed == list(child)
        ends, child = pipes()
        blocker = threading.Event()
        t = threading.Thread(target=blocker.wait)
        t.start()
        attempt("threads", lambda: serve(child))
        blocker.set()
        t.join()
        print(json.dumps(errors))
    """)
    assert out == {"no arguments": "TypeError", "five fds": "TypeError", "bad timeout": "ValueError", "closed": True,
                   "threads": "RuntimeError"}


def test_unshare_network_gives_this_process_a_network_namespace_of_its_own():
    out = script("""
        before = os.readlink("/proc/self/ns/net")
        errors["one map"] = None
        attempt("one map", lambda: _sandbox.unshare_network("0 0 1"))
        uid, gid = os.geteuid(), os.getegid()
        if uid == 0:
            _sandbox.unshare_network()
        else:
            _sandbox.unshare_network(f"{uid} {uid} 1\\n", f"{gid} {gid} 1\\n")
        print(json.dumps({"errors": errors, "moved": os.readlink("/proc/self/ns/net") != before,
                          "same ids": (os.geteuid(), os.getegid()) == (uid, gid)}))
    """)
    assert out == {"errors": {"one map": "ValueError"}, "moved": True, "same ids": True}


def test_collect_streams_chunks_to_on_output_and_raises_its_exception():
    """collect(on_output=) hands each chunk of stdout (0) and stderr (1) as it
    is read, within output_limit; an exception of the callback stops the
    wait and is raised (the caller then kills the server)."""
    import socket
    import threading
    import time

    from autopoietic import _sandbox

    def collect(on_output, writes):
        out_r, out_w = os.pipe2(os.O_CLOEXEC)
        err_r, err_w = os.pipe2(os.O_CLOEXEC)
        verdict_r, verdict_w = os.pipe2(os.O_CLOEXEC)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)

        def writer():
            for fd, data in writes:
                os.write({1: out_w, 2: err_w}[fd], data)
                time.sleep(0.05)
            for fd in (out_w, err_w, verdict_w):
                os.close(fd)
            theirs.send(b"answer")

        thread = threading.Thread(target=writer)
        thread.start()
        try:
            return _sandbox.collect(ours.fileno(), out_r, err_r, verdict_r, output_limit=6, wait_s=10,
                                    on_output=on_output)
        finally:
            thread.join()
            ours.close()
            theirs.close()

    seen = []
    got = collect(lambda stream, data: seen.append((stream, data)), [(1, b"abc"), (2, b"e"), (1, b"defgh")])
    assert seen == [(0, b"abc"), (1, b"e"), (0, b"def")]  # stdout's cap is 6 bytes
    assert got["stdout"] == b"abcdef" and got["stdout_truncated"] and got["replied"]

    def refuse(stream, data):
        raise LookupError("no")

    with pytest.raises(LookupError):
        collect(refuse, [(1, b"x")])
    with pytest.raises(TypeError, match="on_output"):
        _sandbox.collect(0, 0, 0, 0, wait_s=1, on_output=5)
