"""Warm mode (docs/design.md, "Execution modes"): the fork server's life cycle, and what a
component forked from it can and cannot reach.  The rest of the suite runs
in both modes through the execution_mode fixture."""

from __future__ import annotations

import gc
import logging
import marshal
import os
import signal
import socket
import struct
import subprocess
import sys
import textwrap
import threading
import time
import uuid

import pytest

from autopoietic import _forkserver, _sandbox
from autopoietic.sandbox import AutopoieticSandbox

from helpers import (UNDER_ASAN, WARM_UNDER_ASAN, announce, bound, children_of, component, eventually, ready_token,
                     wait_ready)

pytestmark = pytest.mark.skipif(UNDER_ASAN, reason=WARM_UNDER_ASAN)


@pytest.fixture
def warm(tmp_path):
    with AutopoieticSandbox(temp_dir=tmp_path, timeout_s=20, mode="warm") as sb:
        yield sb


def server_of(sb: AutopoieticSandbox) -> _forkserver.ForkServer:
    server = sb._warm.thread_server()
    assert server.alive()
    return server


def dead(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"  # dead, waiting for its parent to reap it
    except FileNotFoundError:
        return True


def fd_targets(pid: int) -> list[str]:
    """What the fds of pid point to (an fd closed meanwhile is left out)."""
    targets = []
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            targets.append(os.readlink(f"/proc/{pid}/fd/{fd}"))
        except FileNotFoundError:
            continue
    return targets


def gone(pid: int, seconds: float = 5.0) -> bool:
    return eventually(lambda: dead(pid), seconds)


def test_mode_option(tmp_path, monkeypatch):
    monkeypatch.delenv("AUTOPOIETIC_MODE", raising=False)
    assert AutopoieticSandbox(temp_dir=tmp_path).mode == "warm"
    monkeypatch.setenv("AUTOPOIETIC_MODE", "spawn")
    assert AutopoieticSandbox(temp_dir=tmp_path).mode == "spawn"
    assert AutopoieticSandbox(temp_dir=tmp_path, mode="warm").mode == "warm"
    with pytest.raises(ValueError, match="mode must be one of warm, spawn"):
        AutopoieticSandbox(temp_dir=tmp_path, mode="fast")
    monkeypatch.setenv("AUTOPOIETIC_MODE", "fast")
    with pytest.raises(ValueError, match="AUTOPOIETIC_MODE must be one of warm, spawn, got 'fast'"):
        AutopoieticSandbox(temp_dir=tmp_path)


def test_one_server_serves_many_runs_each_in_a_fresh_sandbox(warm):
    first = warm.run_source("import os; print(os.getpid(), os.getppid())")
    pid = server_of(warm).pid
    for _ in range(5):
        again = warm.run_source("import os; open('/work/mark', 'x'); print(os.getpid(), os.getppid())")
        assert again["success"], again  # /work is new each time: the file never exists yet
        assert again["output"] == first["output"] == "2 1\n"  # pid 2 under its own init, every time
        assert again["isolation"] == "unshare-namespaces"
    assert server_of(warm).pid == pid


def test_server_is_started_clean(warm):
    warm.run_source("pass")
    pid = server_of(warm).pid
    with open(f"/proc/{pid}/environ", "rb") as f:
        environ = sorted(f.read().split(b"\0")[:-1])
    assert environ == sorted([b"HOME=/work", b"TMPDIR=/tmp", b"PATH=/usr/local/bin:/usr/bin:/bin",
                              b"LANG=C.UTF-8", b"LC_ALL=C.UTF-8", b"MALLOC_ARENA_MAX=1"])
    assert len(os.listdir(f"/proc/{pid}/task")) == 1  # single-threaded
    # stdio on /dev/null, its socket, and the pipe and socket ends of the
    # sandbox it keeps prepared for the next run (once the last run's init,
    # which it answers before, has exited: its pipes and pidfd are gone):
    # no file, no directory
    assert eventually(lambda: "anon_inode:[pidfd]" not in fd_targets(pid))
    targets = fd_targets(pid)
    assert all(t == "/dev/null" or t.startswith(("pipe:", "socket:")) for t in targets), targets
    assert len(targets) < 16, targets
    with open(f"/proc/{pid}/status") as f:
        status = dict(line.split(":", 1) for line in f)
    assert status["PPid"].strip() == str(os.getpid())


def test_killing_the_server_mid_run_is_a_clean_error_and_the_next_run_works(warm):
    warm.run_source("pass")
    pid = server_of(warm).pid
    token = f"autopoietic-warm-{uuid.uuid4().hex}"
    ready = ready_token()

    def kill_when_running() -> None:
        wait_ready(ready)
        os.kill(pid, signal.SIGKILL)

    killer = threading.Thread(target=kill_when_running)
    killer.start()
    started = time.monotonic()
    result = warm.run_source(announce(ready) + f"import time\nprint({token!r}, flush=True)\ntime.sleep(30)")
    killer.join()
    assert time.monotonic() - started < bound(10)  # not the 30 s sleep
    assert result["isolation"] == "error" and result["success"] is False
    assert "fork server died during the run (killed by signal 9)" in result["error"]
    assert set(result) >= {"output", "execution_time", "limit_exceeded", "namespaces"}
    # the sandbox died with it: no process of the run is left
    assert gone(pid)
    assert not [p for p in os.listdir("/proc") if p.isdigit() and token.encode() in _cmdline(p)]
    after = warm.run_source("print('next')")
    assert after["success"] and after["output"] == "next\n"
    assert server_of(warm).pid != pid


def _cmdline(pid: str) -> bytes:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read()
    except OSError:
        return b""


def test_a_server_killed_between_runs_is_replaced(warm):
    warm.run_source("pass")
    pid = server_of(warm).pid
    os.kill(pid, signal.SIGKILL)
    assert gone(pid)
    result = warm.run_source("print(7)")
    assert result["success"] and result["output"] == "7\n"
    assert server_of(warm).pid != pid


def test_cleanup_stops_every_server(tmp_path):
    sb = AutopoieticSandbox(temp_dir=tmp_path, timeout_s=20, mode="warm")
    pids = []

    def use():
        assert sb.run_source("pass")["success"]
        pids.append(server_of(sb).pid)
        done.wait()

    done = threading.Event()
    workers = [threading.Thread(target=use) for _ in range(3)]
    for w in workers:
        w.start()
    assert eventually(lambda: len(pids) == 3, 20)
    assert len(set(pids)) == 3  # one server per thread
    sb.cleanup()
    done.set()
    for w in workers:
        w.join()
    for pid in pids:
        assert gone(pid, 0.1) or gone(pid)
    assert not os.path.exists(sb._root)


def test_a_server_dies_with_the_thread_that_started_it(warm):
    pids = []
    worker = threading.Thread(target=lambda: (warm.run_source("pass"), pids.append(server_of(warm).pid)))
    worker.start()
    worker.join()
    assert len(pids) == 1 and gone(pids[0])
    gc.collect()  # the thread's server object: reaped, not left a zombie
    assert not os.path.exists(f"/proc/{pids[0]}")


def test_a_caller_that_exits_without_cleanup_leaves_no_server(tmp_path):
    script = textwrap.dedent(f"""
        import os
        from autopoietic.sandbox import AutopoieticSandbox
        sb = AutopoieticSandbox(temp_dir={str(tmp_path)!r}, mode="warm")
        sb.run_source("pass")
        print(sb._warm.thread_server().pid, flush=True)
        os._exit(0)  # no cleanup, no finaliser, no atexit
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert gone(int(proc.stdout.split()[0]))


def test_threads_get_sandboxes_in_parallel(warm):
    """4 threads at once: 4 servers, 4 sandboxes whose runs overlap in time
    (CLOCK_MONOTONIC is the host's inside the namespaces)."""
    results = [None] * 4

    def use(i):
        results[i] = warm.run_source("import time\nprint(time.monotonic())\ntime.sleep(1)\nprint(time.monotonic())")

    workers = [threading.Thread(target=use, args=(i,)) for i in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    spans = [tuple(float(x) for x in r["output"].split()) for r in results]
    assert all(r["success"] for r in results)
    latest_start = max(s for s, _ in spans)
    earliest_end = min(e for _, e in spans)
    assert latest_start < earliest_end  # all four were running at the same moment


def test_no_remnant_of_an_earlier_run_in_a_later_sandbox(warm):
    """Output and source of run 1 never pass through the server, so the
    memory run 2 starts with (a copy of the server's) holds none of them."""
    secret_source = f"autopoietic-source-{uuid.uuid4().hex}"
    secret_output = f"autopoietic-output-{uuid.uuid4().hex}"
    first = warm.run_source(f"s = {secret_source!r}\nprint({secret_output!r})\nimport sys\nprint(s, file=sys.stderr)")
    assert first["success"] and secret_output in first["output"]
    scan = textwrap.dedent("""
        import ctypes
        found = set()
        with open('/proc/self/maps') as maps:
            regions = [line.split() for line in maps]
        for fields in regions:
            start, end = (int(x, 16) for x in fields[0].split('-'))
            # the heap, the stack and anonymous mappings (pymalloc's arenas)
            if 'rw' not in fields[1] or (len(fields) > 5 and fields[5] not in ('[heap]', '[stack]')):
                continue
            data = ctypes.string_at(start, end - start)
            for needle in (b'autopoietic-source-', b'autopoietic-output-'):
                at = data.find(needle)
                while at >= 0:
                    found.add(data[at:at + 51])
                    at = data.find(needle, at + 1)
        for item in sorted(found):
            print(item.decode('ascii', 'replace'))
    """)
    second = warm.run_source(scan)
    assert second["success"], second
    assert secret_source not in second["output"] and secret_output not in second["output"]


def test_no_outcome_of_an_earlier_run_in_a_later_sandbox(warm):
    """The server sends each run's outcome from a C buffer it zeroes, so a
    later sandbox cannot read how an earlier one ended (a covert channel)."""
    first = warm.run_source("import os\nos._exit(0xA5)")
    assert first["exit_code"] == 0xA5
    warm.run_source("pass")
    scan = textwrap.dedent("""
        import ctypes
        needles = [
            bytes.fromhex('01000000' 'a5000000' 'ffffffff'),  # the reply struct's start: kind 1, exit 165, signal -1
            ''.join(['exit_', 'code']).encode(),  # a Python-level result (marshal'd or pickled dict)
        ]
        own = {ctypes.cast(ctypes.c_char_p(n), ctypes.c_void_p).value for n in needles}  # the needles themselves
        hits = []
        for line in open('/proc/self/maps'):
            fields = line.split()
            if 'rw' not in fields[1] or (len(fields) > 5 and fields[5] not in ('[heap]', '[stack]')):
                continue
            start, end = (int(x, 16) for x in fields[0].split('-'))
            data = ctypes.string_at(start, end - start)
            for needle in needles:
                at = data.find(needle)
                while at >= 0:
                    if start + at not in own:
                        hits.append(hex(start + at))
                    at = data.find(needle, at + 1)
        print(len(hits))
    """)
    later = warm.run_source(scan)
    assert later["success"], later
    assert later["output"] == "0\n"


def test_no_thread_ids_of_an_earlier_run_in_a_later_sandbox(tmp_path):
    """The server lists a run's threads to sum its CPU time; that listing
    (linux_dirent64 records of /proc/PID/task) must not stay in its memory,
    where a later sandbox could count them (a channel chosen by the run)."""
    threads = textwrap.dedent("""
        import os, threading, time
        threading.stack_size(1 << 16)
        for _ in range(11):
            threading.Thread(target=time.sleep, args=(5,), daemon=True).start()
        time.sleep(1.2)  # the server's CPU checks list /proc/PID/task meanwhile
        os._exit(0)
    """)
    scan = textwrap.dedent(r"""
        import os, re, struct
        mem = os.open('/proc/self/mem', os.O_RDONLY)
        heaps = []
        for line in open('/proc/self/maps'):
            if '[heap]' in line:
                start, end = (int(x, 16) for x in line.split()[0].split('-'))
                heaps.append(os.pread(mem, end - start, start))
        found = 0
        for buf in heaps:
            for m in re.finditer(rb'\x18\x00\x04\.\x00', buf):  # the '.' record of a directory listing
                off, names = m.start() - 16, []
                while off + 19 < len(buf):
                    reclen, kind = struct.unpack_from('=HB', buf, off + 16)
                    if reclen < 20 or reclen > 280 or kind != 4:
                        break
                    name = buf[off + 19:buf.index(b'\0', off + 19)]
                    if not (name in (b'.', b'..') or name.isdigit()):
                        break
                    names.append(name)
                    off += reclen
                found += max(0, len(names) - 2)
        print(found)
    """)
    with AutopoieticSandbox(temp_dir=tmp_path, mode="warm", timeout_s=10, max_cpu_time_seconds=0.6) as sb:
        assert sb.run_source(threads)["exit_code"] == 0
        sb.run_source("pass")
        later = sb.run_source(scan)
    assert later["success"], later
    assert later["output"] == "0\n"


def test_the_component_cannot_reach_the_server(warm):
    warm.run_source("pass")
    server = server_of(warm)
    result = warm.run_source(textwrap.dedent(f"""
        import os, sys
        print(sorted(int(fd) for fd in os.listdir('/proc/self/fd')))
        print(os.path.exists('/proc/{server.pid}'), [p for p in os.listdir('/proc') if p.isdigit()])
        print('autopoietic._sandbox' in sys.modules)
    """))
    assert result["success"], result
    fds, procs, module = result["output"].splitlines()
    # stdin, stdout, stderr, the nonce pipe (read only after the run), the
    # verdict pipe, and the listing's own fd
    assert fds == "[0, 1, 2, 3, 4, 5]", fds
    assert procs.startswith("False") and set(eval(procs.split(" ", 1)[1])) <= {"1", "2"}
    assert module == "False"


def test_warm_mode_falls_back_to_spawn_with_a_reason(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(_forkserver, "START_TIMEOUT_S", 1e-6)
    with caplog.at_level(logging.WARNING, logger="autopoietic.sandbox"):
        with AutopoieticSandbox(temp_dir=tmp_path, timeout_s=20, mode="warm") as sb:
            first = sb.run_source("print(1)")
            second = sb.run_source("print(2)")
    assert first["success"] and second["success"]
    assert first["isolation"] == second["isolation"] == "unshare-namespaces"
    warnings = [r.getMessage() for r in caplog.records if "spawn mode" in r.getMessage()]
    assert len(warnings) == 1 and "fork server did not start" in warnings[0]


@pytest.mark.slow  # 38 s here
def test_a_thousand_warm_runs_leave_nothing_behind(warm):
    """No zombie, no extra fd in caller or server, the server's RSS bounded."""
    warm.run_source("pass")
    server = server_of(warm)

    def prepared() -> bool:  # the server has made the next run's sandbox: its one live child
        return [state for _, state in children_of(server.pid) if state != "Z"] != []

    assert eventually(prepared)

    def rss_kib(pid):
        with open(f"/proc/{pid}/status") as f:
            return int(next(line for line in f if line.startswith("VmRSS:")).split()[1])

    def server_fds() -> int:
        # once the last run's init has exited and is reaped (its pipes and
        # pidfd closed): the server answers before that
        assert eventually(lambda: "anon_inode:[pidfd]" not in fd_targets(server.pid))
        return len(fd_targets(server.pid))

    fds_before = len(os.listdir("/proc/self/fd"))
    server_fds_before = server_fds()
    rss_before = rss_kib(server.pid)
    for i in range(1000):
        result = warm.execute_component(component(f"print({i})"), "sample")
        assert result["success"] and result["output"].startswith(f"{i}\n"), result
    assert server_of(warm).pid == server.pid
    assert eventually(prepared)
    assert len(os.listdir("/proc/self/fd")) == fds_before
    # the sandbox the server prepares next may hold a setup pipe a moment
    assert eventually(lambda: server_fds() == server_fds_before), (server_fds_before, fd_targets(server.pid))
    # the server's only child: the init of the sandbox it keeps prepared
    children = children_of(server.pid)
    assert len(children) <= 1 and all(state != "Z" for _, state in children), children
    assert rss_kib(server.pid) - rss_before < 2048, (rss_before, rss_kib(server.pid))


# ---- the fork server's loop (_sandbox.serve) -----------------------------


def test_a_request_without_its_six_fds_is_refused_and_the_server_goes_on(warm):
    assert warm.execute_component(component(name="before"), "before")["success"]
    server = server_of(warm)
    ends = [os.pipe2(os.O_CLOEXEC) for _ in range(2)]
    try:
        # a well-formed configuration message with two fds instead of six
        socket.send_fds(server.sock, [b"not the configuration"], [ends[0][1], ends[1][1]])
        reply = server.sock.recv(1 << 16)
    finally:
        for pair in ends:
            for fd in pair:
                os.close(fd)
    kind = struct.unpack_from(_sandbox.REPLY_KIND_FORMAT, reply)[0]
    assert kind == _sandbox.REPLY_ERROR
    assert b"a request carries 6 fds, got 2" in reply
    result = warm.execute_component(component(name="after"), "after")
    assert result["success"], result["error"]
    assert server_of(warm) is server and server.alive()  # the same server served it


def test_a_request_with_a_configuration_it_cannot_parse_is_refused_and_the_server_goes_on(warm):
    assert warm.execute_component(component(name="before"), "before")["success"]
    server = server_of(warm)
    ends = [os.pipe2(os.O_CLOEXEC) for _ in range(3)]
    source = os.memfd_create("source", os.MFD_CLOEXEC)
    try:
        bad = marshal.dumps({"args": ([sys.executable], [], "/"), "kwargs": {"namespaces": ("pid",),
                                                                           "timeout_s": -1.0}})
        socket.send_fds(server.sock, [bad], [source, ends[0][1], ends[1][1], ends[2][0], ends[2][1], source])
        reply = server.sock.recv(1 << 16)
    finally:
        os.close(source)
        for pair in ends:
            for fd in pair:
                os.close(fd)
    assert struct.unpack_from(_sandbox.REPLY_KIND_FORMAT, reply)[0] == _sandbox.REPLY_ERROR
    assert b"ValueError: timeout_s must be given" in reply
    assert warm.execute_component(component(name="after"), "after")["success"]
    assert server_of(warm) is server


def test_a_new_configuration_is_served_by_the_same_server_and_takes_effect(warm):
    assert warm.run_source("print('first')")["output"] == "first\n"
    server = server_of(warm)
    prepared_before = {pid for pid, _ in children_of(server.pid)}
    warm.timeout_s = bound(1.0)
    slow = warm.run_source("import time\ntime.sleep(60)")
    assert slow["timed_out"] and not slow["success"]
    assert slow["execution_time"] < bound(1.0) + bound(5.0)
    warm.timeout_s = 20
    again = warm.run_source("print('again')")
    assert again["success"] and again["output"] == "again\n"
    assert server_of(warm) is server
    # the standby sandboxes made for the earlier configurations are gone
    assert eventually(lambda: len(children_of(server.pid)) == 1)
    assert not prepared_before & {pid for pid, _ in children_of(server.pid)}


def test_a_sandbox_sees_its_own_thread_id_and_random_state_as_after_os_fork(warm):
    # prepare() runs no Python fork hook (docs/benchmarks.md): the fork
    # server resets what a component could see of them
    probe = textwrap.dedent("""
        import logging, os, random, threading
        main = threading.main_thread()
        assert threading.current_thread() is main
        assert main.native_id == threading.get_native_id() == os.getpid(), (main.native_id, os.getpid())
        worker = threading.Thread(target=lambda: logging.getLogger("probe").warning("from a thread"))
        worker.start()
        worker.join()
        print(random.getrandbits(64))
    """)
    values = []
    for _ in range(4):
        result = warm.run_source(probe)
        assert result["success"], result["error"]
        assert "from a thread" in result["error"]
        values.append(result["output"])
    assert len(set(values)) == 4


def test_the_runs_of_one_server_share_a_network_namespace_they_cannot_change(warm):
    # made once by the fork server instead of once per sandbox
    # (docs/threat-model.md, "Warm mode"); one run at a time, and nothing a
    # run leaves in it (an abstract socket name here) is there for the next
    probe = textwrap.dedent("""
        import fcntl, os, socket, struct
        names = socket.socket(socket.AF_UNIX)
        names.bind("\\0autopoietic-shared-net-probe")  # EADDRINUSE if a run left it
        names.listen(1)
        try:
            fcntl.ioctl(names, 0x8914, struct.pack("16sH", b"lo", 1))  # SIOCSIFFLAGS: lo up
            print("changed lo")
        except OSError as exc:
            print("lo", exc.errno)
        print(os.readlink("/proc/self/ns/net"))
    """)
    seen = []
    for _ in range(3):
        result = warm.run_source(probe)
        assert result["success"], result["error"]
        status, namespace = result["output"].splitlines()
        assert status == "lo 1"  # EPERM: no capability over it
        seen.append(namespace)
    assert len(set(seen)) == 1 and seen[0] != os.readlink("/proc/self/ns/net")
    with AutopoieticSandbox(timeout_s=20, mode="warm") as other:  # another server: another namespace
        result = other.run_source(probe)
        assert result["success"], result["error"]
        assert result["output"].splitlines()[1] != seen[0]


def test_a_warm_sandbox_imports_nothing_the_server_has_not_before_its_code(warm):
    # every page a sandbox writes is a copy of the server's: an import
    # before the component's code would cost each run (docs/benchmarks.md)
    server_modules = subprocess.run(
        [sys.executable, "-I", "-S", "-c",
         "import __future__, collections, dataclasses, functools, importlib.machinery, importlib.util, json, logging, "
         "marshal, math, os, re, resource, socket, struct, sys, typing; print(' '.join(sorted(sys.modules)))"],
        capture_output=True, text=True, check=True).stdout.split()
    result = warm.run_source("import sys\nprint(' '.join(sorted(sys.modules)))")
    assert result["success"], result["error"]
    new = set(result["output"].split()) - set(server_modules)
    assert new <= {"autopoietic._sandbox"}, new  # the extension, loaded from a memfd (and dropped from sys.modules)
