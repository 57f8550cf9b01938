"""Which uid and gid a component runs as, on the host and inside.

Inside, a component is always uid and gid 65534 (``SANDBOX_UID``) or, in
direct execution, the caller.  On the host:

- a normal user's components are the user (a user namespace maps 65534 to
  the user's own ids: the only ids an unprivileged process may map);
- root's components get a host uid and gid of their own per sandbox
  object (``free_private_id``), so the kernel's per-uid quotas (epoll
  watches, pipe buffers, processes, queued signals) separate them from each
  other and from host processes; where none is free, 65534 where this user
  namespace maps it.
"""

from __future__ import annotations

import functools
import os
import secrets
import threading
from pathlib import Path
from typing import Any

from ._common import SANDBOX_UID

__all__ = ["PRIVATE_ID_RANGE", "free_private_id", "id_options", "nobody_exists", "own_id_maps"]


@functools.lru_cache(maxsize=None)
def nobody_exists() -> bool:
    """Is uid and gid 65534 mapped in this process's user namespace?"""
    for name in ("uid_map", "gid_map"):
        try:
            ranges = [tuple(map(int, line.split())) for line in Path(f"/proc/self/{name}").read_text().splitlines()]
        except (OSError, ValueError):
            return False
        if not any(inside <= SANDBOX_UID < inside + count for inside, _outside, count in ranges):
            return False
    return True


#: Where a root caller's components get a uid and gid of their own on rungs
#: without a user namespace: far above any account's, below 2**31.
#: (systemd's conventions: its container range ends below 0x70000000, its
#: "foreign" range starts at 0x7FFE0000.)
PRIVATE_ID_RANGE = (0x70000000, 0x7FFE0000)
#: Private ids handed to sandbox objects of this process (never reused).
_PRIVATE_IDS_GIVEN: set[int] = set()
_PRIVATE_IDS_LOCK = threading.Lock()


def subordinate_ranges() -> list[tuple[int, int]]:
    """[first, end) ranges of /etc/subuid and /etc/subgid: ids that users
    may become through newuidmap (rootless containers)."""
    ranges = []
    for path in ("/etc/subuid", "/etc/subgid"):
        try:
            lines = Path(path).read_text().splitlines()
        except OSError:
            continue
        for line in lines:
            fields = line.strip().split(":")
            if len(fields) == 3 and fields[1].isdigit() and fields[2].isdigit():
                ranges.append((int(fields[1]), int(fields[1]) + int(fields[2])))
    return ranges


def _mapped_ids(name: str) -> list[tuple[int, int]]:
    """[first, end) ranges of ids this process's user namespace maps."""
    try:
        lines = Path(f"/proc/self/{name}").read_text().splitlines()
        return [(int(f[0]), int(f[0]) + int(f[2])) for f in (line.split() for line in lines)]
    except (OSError, ValueError, IndexError):
        return []


def _ids_in_use() -> set[int]:
    """Every real, effective, saved or filesystem uid and gid of a process
    visible here."""
    used: set[int] = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            for line in Path(f"/proc/{entry}/status").read_text().splitlines():
                if line.startswith(("Uid:", "Gid:")):
                    used.update(int(x) for x in line.split()[1:])
        except (OSError, ValueError):
            continue
    return used


def free_private_id() -> int | None:
    """A number in PRIVATE_ID_RANGE that this user namespace maps as uid and
    as gid, that no account or group names, no visible process uses, no
    subordinate id range (/etc/subuid, /etc/subgid) covers and no other
    sandbox object of this process got; None when none is found in a few
    random tries."""
    import grp
    import pwd

    uids, gids = _mapped_ids("uid_map"), _mapped_ids("gid_map")
    used = _ids_in_use()
    subordinate = subordinate_ranges()
    low, high = PRIVATE_ID_RANGE
    for _ in range(32):
        candidate = low + secrets.randbelow(high - low)
        if candidate in used or candidate in _PRIVATE_IDS_GIVEN or any(a <= candidate < b for a, b in subordinate) \
                or not any(a <= candidate < b for a, b in uids) or \
                not any(a <= candidate < b for a, b in gids):
            continue
        try:
            pwd.getpwuid(candidate)
            continue
        except KeyError:
            pass
        try:
            grp.getgrgid(candidate)
            continue
        except KeyError:
            pass
        with _PRIVATE_IDS_LOCK:
            if candidate not in _PRIVATE_IDS_GIVEN:
                _PRIVATE_IDS_GIVEN.add(candidate)
                return candidate
    return None


def own_id_maps() -> tuple[str, str]:
    """(uid_map, gid_map) of a user namespace that maps this process's
    own ids, all an unprivileged process may map, as 65534 inside."""
    return f"{SANDBOX_UID} {os.geteuid()} 1\n", f"{SANDBOX_UID} {os.getegid()} 1\n"


def id_options(namespaces: tuple[str, ...], private_id: int | None) -> tuple[dict[str, Any], int | None]:
    """(the id options of _sandbox.run, the component's uid and gid inside)
    for a run in namespaces; private_id is the sandbox object's
    free_private_id() for a root caller, None for a normal user."""
    options: dict[str, Any] = {}
    root = os.geteuid() == 0
    host_id = private_id if private_id is not None else (SANDBOX_UID if root and nobody_exists() else None)
    switch_to: int | None = None
    if "user" in namespaces and host_id is not None:
        # root maps itself (init builds the root with host root's file
        # access, no host capability) and the component's host id as
        # 65534, which the component becomes: init, uid 0, is exempt
        # from the component's RLIMIT_NPROC
        uids = f"0 0 1\n{SANDBOX_UID} {host_id} 1\n"
        options.update(uid_map=uids, gid_map=uids, deny_setgroups=False)
        switch_to = SANDBOX_UID
    elif "user" in namespaces:
        uid_map, gid_map = own_id_maps()
        options.update(uid_map=uid_map, gid_map=gid_map, deny_setgroups=True)
    else:
        switch_to = host_id
    if switch_to is not None:
        options.update(uid=switch_to, gid=switch_to, clear_groups=True)
    # inside, the component's ids: 65534 with a user namespace, or the switch's
    return options, SANDBOX_UID if "user" in namespaces else switch_to
