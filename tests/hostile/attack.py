"""Helpers of the hostile suite (fixtures live in conftest.py)."""

from __future__ import annotations

import textwrap
import uuid

from helpers import READY_DAEMON


def assert_clear_result(result: dict) -> None:
    """Every case ends with a full, well-typed dict and no sandbox error."""
    assert result["isolation"] in ("unshare-namespaces", "unshare-namespaces-timeout"), result
    assert isinstance(result["error"], str) and isinstance(result["output"], str)


#: What a session uses of its CPU budget before the attack's cell: the
#: interpreter's start and one cell of one line (the hostile suite's "cell"
#: case, conftest.py); a cell's cpu_time_s is its own share of the budget.
SESSION_CPU_BEFORE_S = 0.3


def cpu_floor(run, limit: float) -> float:
    """The least cpu_time_s of a case stopped at its CPU limit of limit s."""
    return limit - SESSION_CPU_BEFORE_S if getattr(run, "kind", "") == "cell" else limit


def token() -> str:
    return f"autopoietic-hostile-{uuid.uuid4().hex}"


def daemon_source(marker: str) -> str:
    """A program that daemonises (double fork, setsid) a process with marker
    on its command line, waits until it runs, prints "daemon r" and exits."""
    return textwrap.dedent(f"""
        import os, sys
        r, w = os.pipe()
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                os.set_inheritable(w, True)
                os.execv(sys.executable, [sys.executable, "-c", {READY_DAEMON!r}, str(w), "{marker}"])
            os._exit(0)
        os.close(w)
        print("daemon", os.read(r, 1).decode())  # it is up and running
    """)


SYSCALLS = '''
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
NR = {
    "x86_64": dict(ptrace=101, mount=165, umount2=166, pivot_root=155, chroot=161, unshare=272, setns=308,
                   keyctl=250, add_key=248, request_key=249, bpf=321, userfaultfd=323, io_uring_setup=425,
                   perf_event_open=298, kexec_load=246, init_module=175, finit_module=313, delete_module=176,
                   reboot=169, swapon=167, swapoff=168, syslog=103, acct=163, settimeofday=164,
                   clock_settime=227, adjtimex=159, process_vm_readv=310, process_vm_writev=311,
                   open_by_handle_at=304, name_to_handle_at=303, personality=135, clone=56, clone3=435,
                   sethostname=170, quotactl=179, ioctl=16, shmget=29, msgget=68, semget=64, mq_open=240,
                   memfd_create=319, inotify_init1=294, fanotify_init=300, socketpair=53),
    "aarch64": dict(ptrace=117, mount=40, umount2=39, pivot_root=41, chroot=51, unshare=97, setns=268,
                    keyctl=219, add_key=217, request_key=218, bpf=280, userfaultfd=282, io_uring_setup=425,
                    perf_event_open=241, kexec_load=104, init_module=105, finit_module=273, delete_module=106,
                    reboot=142, swapon=224, swapoff=225, syslog=116, acct=89, settimeofday=170,
                    clock_settime=112, adjtimex=171, process_vm_readv=270, process_vm_writev=271,
                    open_by_handle_at=265, name_to_handle_at=264, personality=92, clone=220, clone3=435,
                    sethostname=161, quotactl=60, ioctl=29, shmget=194, msgget=186, semget=190, mq_open=180,
                    memfd_create=279, inotify_init1=26, fanotify_init=262, socketpair=199),
}[os.uname().machine]
libc.syscall.restype = ctypes.c_long
def try_syscall(name, *args):
    """errno of one raw syscall (0 when it succeeded), like bubblewrap's try-syscall"""
    ctypes.set_errno(0)
    r = libc.syscall(ctypes.c_long(NR[name]), *[ctypes.c_long(a) for a in args])
    return 0 if r >= 0 else ctypes.get_errno()
'''


# What a host process checks while a sandbox runs: each loop tries a kernel
# resource another process of the caller's uid needs, until stdin closes;
# then it prints one JSON line {"ok": n, "failures": [...], "sunreclaim_kib": max,
# "sigq_growth": how far its uid's count of queued signals rose}.
_CHECKER = r'''
import ctypes, json, os, select, signal, sys, threading
libc = ctypes.CDLL(None, use_errno=True)
librt = ctypes.CDLL("librt.so.1", use_errno=True)
libc.syscall.restype = ctypes.c_long
NR_IO_SETUP, NR_IO_DESTROY = {"x86_64": (206, 207), "aarch64": (0, 1)}[os.uname().machine]
kinds = sys.argv[1].split(",")
# blocked in every thread (the stdin reader's too): a queued one waits for sigtimedwait
signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGRTMIN])
stop = threading.Event()
threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()

class sigval(ctypes.Union):
    _fields_ = [("sival_int", ctypes.c_int), ("sival_ptr", ctypes.c_void_p)]

def sigq():
    for line in open("/proc/self/status"):
        if line.startswith("SigQ:"):
            return int(line.split()[1].split("/")[0])
    return 0

def sunreclaim():
    for line in open("/proc/meminfo"):
        if line.startswith("SUnreclaim:"):
            return int(line.split()[1])
    return 0

def signals():
    rt = signal.SIGRTMIN
    queued = 0
    try:
        for _ in range(100):
            if libc.sigqueue(os.getpid(), rt, sigval(0)) != 0:
                return "sigqueue: " + os.strerror(ctypes.get_errno())
            queued += 1
        timer = ctypes.c_void_p()
        if librt.timer_create(1, None, ctypes.byref(timer)) != 0:  # CLOCK_MONOTONIC, SIGEV_SIGNAL SIGALRM
            return "timer_create: " + os.strerror(ctypes.get_errno())
        librt.timer_delete(timer)
    finally:
        for _ in range(queued):
            signal.sigtimedwait([rt], 1)
    return None

def aio():
    ctx = ctypes.c_ulong(0)
    if libc.syscall(NR_IO_SETUP, 128, ctypes.byref(ctx)) != 0:
        return "io_setup: " + os.strerror(ctypes.get_errno())
    libc.syscall(NR_IO_DESTROY, ctx)
    return None

def epoll():
    ep = select.epoll()
    fds = []
    try:
        for _ in range(500):
            fd = os.eventfd(0)
            fds.append(fd)
            ep.register(fd, select.EPOLLIN)
    except OSError as exc:
        return "epoll_ctl: " + os.strerror(exc.errno)
    finally:
        ep.close()
        for fd in fds:
            os.close(fd)
    return None

checks = {"signals": signals, "aio": aio, "epoll": epoll}
ok, failures, peak = 0, [], 0
sigq_base = sigq_peak = sigq()
print("ready", flush=True)
while not stop.is_set():
    peak = max(peak, sunreclaim())
    sigq_peak = max(sigq_peak, sigq())
    for kind in kinds:
        failure = checks[kind]()
        if failure:
            failures.append(failure)
        else:
            ok += 1
    stop.wait(0.05)
print(json.dumps({"ok": ok, "failures": failures[:10], "sunreclaim_kib": peak,
                  "sigq_growth": sigq_peak - sigq_base}), flush=True)
'''


class HostChecker:
    """``with HostChecker("signals,epoll", uid) as check:`` runs a host
    process of uid (None: this process's) that keeps using those kernel
    resources while the block runs; ``check.report`` is its JSON report."""

    def __init__(self, kinds: str, uid: int | None = None) -> None:
        self.kinds, self.uid = kinds, uid
        self.report: dict = {}

    def __enter__(self) -> "HostChecker":
        import subprocess
        import sys

        extra = {} if self.uid is None else {"user": self.uid, "group": self.uid, "extra_groups": []}
        self.proc = subprocess.Popen(["/usr/bin/python3", "-I", "-c", _CHECKER, self.kinds], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd="/", **extra)
        assert self.proc.stdout is not None and self.proc.stdout.readline().strip() == "ready"
        self.baseline = _sunreclaim_kib()
        return self

    def __exit__(self, *exc: object) -> None:
        import json

        out, err = self.proc.communicate(timeout=60)
        assert self.proc.returncode == 0 and out.strip(), f"the host checker failed: {err[-2000:]}"
        self.report = json.loads(out.splitlines()[-1])


def _sunreclaim_kib() -> int:
    with open("/proc/meminfo") as meminfo:
        for line in meminfo:
            if line.startswith("SUnreclaim:"):
                return int(line.split()[1])
    return 0
