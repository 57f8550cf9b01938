"""Helpers of the hostile suite (fixtures live in conftest.py)."""

from __future__ import annotations

import time
import uuid


def assert_clear_result(result: dict) -> None:
    """Every case ends with a full, well-typed dict and no sandbox error."""
    assert result["isolation"] in ("unshare-namespaces", "unshare-namespaces-timeout"), result
    assert isinstance(result["error"], str) and isinstance(result["output"], str)


def token() -> str:
    return f"autopoietic-hostile-{uuid.uuid4().hex}"


def wait_gone(predicate, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


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
