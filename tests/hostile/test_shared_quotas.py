"""Attack: use up kernel quotas the caller's other processes share, and
checked from outside while the attack holds them.

- the per-uid signal queue (RLIMIT_SIGPENDING is counted up the user
  namespace chain, onto the caller's host uid): queue real-time signals
  from 10 processes;
- the host-wide AIO count (fs.aio-max-nr): io_setup until it fails;
- the per-uid epoll watch quota and unreclaimable kernel memory: 30
  processes registering eventfds in epoll sets, the fds also parked in an
  SCM_RIGHTS cycle so they outlive the run.

Expected: a host process of the caller's uid keeps queueing signals,
creating timers, setting up AIO contexts and registering 500 fds in an
epoll set for the whole run; the sandbox's signals stop at its own
RLIMIT_SIGPENDING, io_setup fails with EPERM (seccomp); SUnreclaim grows by
less than the memory limit plus a margin; the next run of the same sandbox
object is not affected.
"""

from __future__ import annotations

import os

import pytest

from attack import HostChecker, assert_clear_result
from autopoietic._limits import SIGPENDING_LIMIT

from helpers import NOBODY, ROOT_ONLY, require

HOLD_S = 3.0


def _checker_uid(request) -> int | None:
    return NOBODY if request.node.callspec.params["run"] == "nobody" else None


SIGNAL_FLOOD = f"""
import ctypes, os, signal, time
libc = ctypes.CDLL(None, use_errno=True)
class sigval(ctypes.Union):
    _fields_ = [("sival_int", ctypes.c_int), ("sival_ptr", ctypes.c_void_p)]
rt = list(range(signal.SIGRTMIN, signal.SIGRTMAX + 1))
signal.pthread_sigmask(signal.SIG_BLOCK, rt)
standard = [s for s in range(1, 32) if s not in (signal.SIGKILL, signal.SIGSTOP)]
def flood():
    # one of each standard signal pending: kill() is not held to
    # RLIMIT_SIGPENDING, but each is counted on the uid all the same
    signal.pthread_sigmask(signal.SIG_BLOCK, standard)
    for s in standard:
        os.kill(os.getpid(), s)
    n = 0
    for i in range(100000 // 10):
        if libc.sigqueue(os.getpid(), rt[i % len(rt)], sigval(0)) != 0:
            break
        n += 1
    return n
r, w = os.pipe()
children = []
for _ in range(9):
    pid = os.fork()
    if pid == 0:
        os.write(w, b"%d\\n" % flood())
        time.sleep({HOLD_S})
        os._exit(0)
    children.append(pid)
n = flood()
reports = os.fdopen(r)
counts = [n] + [int(reports.readline()) for _ in children]
print("queued", sum(counts))
time.sleep({HOLD_S})
for pid in children:
    os.waitpid(pid, 0)
"""


@pytest.mark.slow  # holds the signals HOLD_S = 3 s; the epoll and aio cases are in the fast tier
def test_signal_queue_stays_the_sandboxs(run, request):
    with HostChecker("signals", _checker_uid(request)) as check:
        result = run(SIGNAL_FLOOD)
    assert_clear_result(result)
    assert result["success"], result
    # real-time signals queued by all of its processes, after the standard
    # ones they sent first, which count against the same limit
    queued = int(result["output"].split()[1])
    assert 0 <= queued <= SIGPENDING_LIMIT, result["output"]
    assert check.report["ok"] > 0 and check.report["failures"] == [], check.report
    # the real-time ones stop at RLIMIT_SIGPENDING; the standard ones, which
    # kill() queues past it, at one of each per process and thread, all
    # counted on the uid that made the sandbox's user namespace (the
    # caller's: docs/limits.md); 10 processes here
    assert check.report["sigq_growth"] <= SIGPENDING_LIMIT + 10 * 31 + 10, check.report


AIO = """
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
NR_IO_SETUP = {"x86_64": 206, "aarch64": 0}[os.uname().machine]
contexts = 0
for _ in range(100000):
    ctx = ctypes.c_ulong(0)
    if libc.syscall(NR_IO_SETUP, 65536, ctypes.byref(ctx)) != 0:
        break
    contexts += 1
print("contexts", contexts, "errno", ctypes.get_errno())
"""


def test_aio_contexts_are_refused(run, request):
    with HostChecker("aio", _checker_uid(request)) as check:
        result = run(AIO)
    assert_clear_result(result)
    assert result["output"].split() == ["contexts", "0", "errno", "1"], result
    assert check.report["ok"] > 0 and check.report["failures"] == [], check.report


EPOLL_FLOOD = f"""
import os, select, socket, time
parked = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
r, w = os.pipe()
children = []
for _ in range(30):
    pid = os.fork()
    if pid == 0:
        watches = 0
        polls, fds = [], []
        try:
            for _ in range(256):
                polls.append(select.epoll())
            while True:
                fd = os.eventfd(0)
                fds.append(fd)
                for ep in polls:
                    ep.register(fd, select.EPOLLIN)
                    watches += 1
        except (OSError, MemoryError) as exc:
            pass
        # park them in an SCM_RIGHTS cycle: in flight on a socket that is
        # itself in flight, they outlive this process
        try:
            for i in range(0, len(polls), 8):
                socket.send_fds(parked[0], [b"x"], [ep.fileno() for ep in polls[i:i + 8]])
            socket.send_fds(parked[0], [b"x"], [parked[0].fileno(), parked[1].fileno()])
        except OSError:
            pass
        os.write(w, b"%d\\n" % watches)
        time.sleep({HOLD_S})
        os._exit(0)
    if pid < 0:
        break
    children.append(pid)
reports = os.fdopen(r)
print("watches", sum(int(reports.readline()) for _ in children))
for pid in children:
    os.waitpid(pid, 0)
"""

AFTER = """
import select, os
ep = select.epoll()
fds = [os.eventfd(0) for _ in range(500)]
for fd in fds:
    ep.register(fd, select.EPOLLIN)
print("registered", len(fds))
"""


def test_epoll_watches_and_kernel_memory_stay_the_sandboxs(run, request, tmp_path):
    if request.node.callspec.params["run"] == "nobody":
        pytest.skip("a normal user without a delegated cgroup: the sandbox has the user's own uid, whose epoll "
                    "watch quota it shares, and no cgroup bounds its kernel memory (docs/limits.md)")
    from autopoietic.sandbox import AutopoieticSandbox

    with AutopoieticSandbox(temp_dir=tmp_path, timeout_s=60, max_open_files=1024) as sb:
        controllers, note = sb.cgroup_status()
        if "memory" not in controllers and os.geteuid() != 0:
            pytest.skip(f"{ROOT_ONLY}a memory cgroup to write (or one delegated to this user): {note}")
        require("memory" in controllers, f"no memory cgroup can be written here: {note}")
        with HostChecker("epoll") as check:
            result = sb.run_source(EPOLL_FLOOD)
        assert_clear_result(result)
        # it ends by itself, or the cgroup's OOM killer ends it
        assert result["output"].startswith("watches") or result["limit_exceeded"] == "memory", result
        assert check.report["ok"] > 0 and check.report["failures"] == [], check.report
        growth_kib = check.report["sunreclaim_kib"] - check.baseline
        assert growth_kib < sb.max_memory_mb * 1024 + 64 * 1024, (growth_kib, result)
        # the parked fds do not take the next run's quota either
        again = sb.run_source(AFTER)
        assert again["success"] and again["output"] == "registered 500\n", again
