"""The Landlock rung: what a run may touch where namespaces are refused.

Where the host refuses every namespace (Ubuntu 24.04's AppArmor
restriction on unprivileged user namespaces; Docker's, containerd's and
Kubernetes' default seccomp profiles), Landlock (Linux 5.13+) still needs no
privilege.  The ruleset is derived from the same plan as the minimal root
(``_rootfs.host_plan``), and the C layer applies it (``src/_sandbox/
landlock.c``) after no_new_privs, before the seccomp filter:

- read and execute: the plan's bound directories (the interpreter's prefix,
  binary, loader and libraries; with ``site_packages`` its site-packages),
  minus the directories the minimal root masks (every other site- and
  dist-packages, this package): Landlock allows, never subtracts, so a
  bound directory holding a masked one is granted entry by entry, its
  symbolic links skipped, and its own listing (``_grants``): the names in
  a masked directory can be listed, its files not read;
- read: ``/dev/zero`` and ``/dev/urandom``; read and write ``/dev/null``;
  read its main process's own ``/proc/self/status``; no other path of
  ``/proc`` (``/proc/self/net`` shows the host's sockets) or ``/sys``;
- read and write, no execute: the directory holding the run's work and
  tmp directories on the host (made per run under ``temp_dir``, removed
  after);
- TCP bind and connect: denied (ABI 4); abstract unix sockets and signals
  scoped to the run (ABI 6).  ``socket()`` itself fails on this rung
  (seccomp, ``deny_socket``): connecting a unix socket by path is not a
  Landlock right on these ABIs.

The kernel's ABI decides what applies; what an older one lacks is named in
the result (``result["landlock"]["missing"]``) and by ``doctor``.  The
rights and ABI numbers are the kernel's (Documentation/userspace-api/
landlock.rst, include/uapi/linux/landlock.h).
"""

from __future__ import annotations

import functools
import os
import stat
import threading
from dataclasses import dataclass
from typing import Any

from . import _rootfs, _sandbox

__all__ = ["ISOLATION", "LandlockPlan", "abi", "missing_features", "plan_for", "unavailable_reason"]

#: The rung's name in ``result["isolation"]``.
ISOLATION = "landlock"

# LANDLOCK_ACCESS_FS_* (ABI 1 unless noted)
EXECUTE = 1 << 0
WRITE_FILE = 1 << 1
READ_FILE = 1 << 2
READ_DIR = 1 << 3
REMOVE_DIR = 1 << 4
REMOVE_FILE = 1 << 5
MAKE_CHAR = 1 << 6
MAKE_DIR = 1 << 7
MAKE_REG = 1 << 8
MAKE_SOCK = 1 << 9
MAKE_FIFO = 1 << 10
MAKE_BLOCK = 1 << 11
MAKE_SYM = 1 << 12
REFER = 1 << 13      # ABI 2
TRUNCATE = 1 << 14   # ABI 3
IOCTL_DEV = 1 << 15  # ABI 5
# LANDLOCK_ACCESS_NET_* (ABI 4)
NET_BIND_TCP = 1 << 0
NET_CONNECT_TCP = 1 << 1
# LANDLOCK_SCOPE_* (ABI 6)
SCOPE_ABSTRACT_UNIX_SOCKET = 1 << 0
SCOPE_SIGNAL = 1 << 1

#: Every file-system right each ABI handles (a ruleset may name no other).
_FS_BY_ABI = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 4: (1 << 15) - 1, 5: (1 << 16) - 1}
#: Rights that apply to a file (a rule on a file may name no other).
FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV
READ_EXECUTE = EXECUTE | READ_FILE | READ_DIR
READ_WRITE = (READ_FILE | READ_DIR | WRITE_FILE | REMOVE_DIR | REMOVE_FILE | MAKE_DIR | MAKE_REG | MAKE_FIFO
              | MAKE_SYM | REFER | TRUNCATE)
#: What each ABI below the newest we use lacks, by the name the result
#: gives it, and what a component may then still do.
FEATURES = (
    (3, "truncate", "truncate(2) of any file the caller may write is not restricted (ABI 3, Linux 6.2)"),
    (4, "tcp", "TCP bind and connect are not restricted by Landlock (ABI 4, Linux 6.7; seccomp still "
               "refuses socket())"),
    (5, "ioctl_dev", "ioctl on device files is not restricted (ABI 5, Linux 6.10)"),
    (6, "scope_abstract_unix_socket", "abstract unix sockets are not scoped to the run (ABI 6, Linux 6.12; "
                                      "seccomp still refuses socket())"),
    (6, "scope_signal", "the component may signal every process of the caller's uid (ABI 6, Linux 6.12)"),
)
#: What the run reads of /proc: its main process's own status (the runner's
#: peak RSS), opened by that process when it applies the ruleset.  Nothing
#: else: /proc/self/net and mountinfo describe the host's network and mounts.
PROC_SELF = (("/proc/self/status", READ_FILE),)
#: Devices a run reads (and /dev/null: writes).
DEVICES = (("/dev/null", READ_FILE | WRITE_FILE | TRUNCATE), ("/dev/zero", READ_FILE), ("/dev/urandom", READ_FILE))

_abi_lock = threading.Lock()
_abi: int | OSError | None = None


def abi() -> int:
    """abi() -> int: the running kernel's Landlock ABI version (probed once
    per process).  Raises ``OSError`` where there is none: ENOSYS (no
    Landlock in this kernel, or a seccomp filter refuses it), EOPNOTSUPP
    (built in, not enabled: the ``lsm=`` boot parameter)."""
    global _abi
    with _abi_lock:
        if _abi is None:
            try:
                _abi = _sandbox.landlock_abi()
            except OSError as exc:
                _abi = exc
        if isinstance(_abi, OSError):
            raise _abi
        return _abi


def unavailable_reason(exc: OSError) -> str:
    """Why the Landlock rung cannot be used, in words, from abi()'s error."""
    hint = {
        38: "the kernel has no Landlock (Linux < 5.13, CONFIG_SECURITY_LANDLOCK off), or a seccomp "
            "filter refuses landlock_create_ruleset",
        95: "Landlock is built in but not enabled: add landlock to the kernel's lsm= boot parameter",
    }.get(exc.errno or 0, "the kernel refused landlock_create_ruleset")
    return f"landlock_create_ruleset: {os.strerror(exc.errno or 0)} ({hint})"


def missing_features(version: int) -> list[str]:
    """The names (FEATURES) of what ABI ``version`` lacks."""
    return [name for needed, name, _ in FEATURES if version < needed]


def _grants(root: str, masks: tuple[str, ...], rights: int) -> list[tuple[str, int]]:
    """Rules granting rights on root but for the masked directories under
    it: root itself where no mask is under it, else listing root and each
    entry of root (symbolic links skipped: one might lead into a mask),
    recursively."""
    inside = [m for m in masks if m == root or m.startswith(root.rstrip("/") + "/")]
    if not inside:
        return [(root, rights)]
    if root in inside:
        return []
    # its own listing (the import system lists each directory of sys.path):
    # beneath it, names can be listed, nothing more, in the masked ones
    rules: list[tuple[str, int]] = [(root, READ_DIR)]
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError:
        return []
    for entry in entries:
        try:
            mode = entry.stat(follow_symlinks=False).st_mode
        except OSError:
            continue
        if stat.S_ISDIR(mode):
            rules.extend(_grants(entry.path, tuple(inside), rights))
        elif stat.S_ISREG(mode):
            rules.append((entry.path, rights & FILE_RIGHTS))
    return rules


@functools.lru_cache(maxsize=None)
def _static_rules(plan: _rootfs.HostPlan) -> tuple[tuple[str, int], ...]:
    """The read-only rules of a host plan (before masking by ABI)."""
    rules: list[tuple[str, int]] = []
    for path, _flags in plan.binds:
        rules.extend(_grants(path, plan.masks, READ_EXECUTE))
    rules.extend((device, rights) for device, rights in DEVICES if os.path.exists(device))
    return tuple(rules)


@dataclass(frozen=True)
class LandlockPlan:
    """One run's ruleset: the ``landlock`` argument of ``_sandbox.run``
    (``argument``) and what the result says of it (``summary``)."""

    argument: tuple[int, int, int, tuple[tuple[str, int], ...]]
    summary: dict[str, Any]


def plan_for(plan: _rootfs.HostPlan, version: int, writable: tuple[str, ...]) -> LandlockPlan:
    """The ruleset of a run at ABI ``version``: plan's directories read and
    execute, the writable directories (the one holding the run's work and
    tmp) read and write.  Rights the ABI lacks are left out."""
    handled = _FS_BY_ABI[min(version, 5)]
    rules = [(path, rights & handled) for path, rights in _static_rules(plan)]
    rules += [(path, READ_WRITE & handled) for path in writable]
    rules += [(path, rights & handled) for path, rights in PROC_SELF]
    net = NET_BIND_TCP | NET_CONNECT_TCP if version >= 4 else 0
    scoped = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if version >= 6 else 0
    summary = {
        "abi": version,
        "read_execute": [path for path, _ in plan.binds],
        "masked": list(plan.masks),
        "read_write": list(writable),
        "proc": [path for path, _ in PROC_SELF],
        "tcp_denied": bool(net),
        "scoped": [name for bit, name in ((SCOPE_ABSTRACT_UNIX_SOCKET, "abstract_unix_socket"),
                                          (SCOPE_SIGNAL, "signal")) if scoped & bit],
        "missing": missing_features(version),
    }
    return LandlockPlan((handled, net, scoped, tuple(rules)), summary)

