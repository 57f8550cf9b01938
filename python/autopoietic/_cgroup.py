"""Whole-sandbox limits with cgroups: which hierarchy this host lets us
write, and the plan ``src/_sandbox/cgroup.c`` carries out for each run.

Every run gets a cgroup of its own, ``run-<pid>-<n>``, inside the cgroup
of its sandbox object, ``autopoietic-<caller pid>-<random>``, which lies
under the caller's own cgroup (cgroup v1: in each of the memory, pids and
cpuacct hierarchies; cgroup v2: one directory).  The run's cgroup bounds
the whole process tree:

- memory: ``memory.limit_in_bytes`` (v1) or ``memory.max`` (v2) at the
  sandbox's ``max_memory_mb``; kernel memory (slab: epoll items, pipe
  buffers, page tables), tmpfs pages and page cache are charged to it, and
  swap is off (``memory.memsw.limit_in_bytes`` equal to it, or
  ``memory.swap.max`` 0);
- pids: ``pids.max`` at the component's ``max_processes`` plus one for the
  sandbox's init;
- CPU: ``cpuacct.usage`` (v1, ns) or ``cpu.stat``'s ``usage_usec`` (v2,
  present without the cpu controller) counts every process of the tree,
  also those nobody waited for.

C makes the run's directory before clone(), init joins it before it runs
anything of its own (``_join_method``), C reads peak memory and OOM kills
when the run is reaped and removes it (kernel documentation: Documentation/admin-guide/cgroup-v1/memory.rst,
pids.rst, cpuacct.rst and cgroup-v2.rst).

``AUTOPOIETIC_CGROUP`` chooses: ``off``, ``v1`` or ``v2``; by default the
hierarchy giving the most of memory, pids and CPU.  On cgroup v2 a cgroup
that holds processes cannot hand controllers to children, so the caller's
own cgroup serves only when its ``cgroup.subtree_control`` has them already;
``AUTOPOIETIC_CGROUP_PARENT`` names another (a delegated one, see
docs/limits.md, "A normal user").
"""

from __future__ import annotations

import errno
import functools
import logging
import os
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import _sandbox

logger = logging.getLogger(__name__)

#: What a run's cgroup can bound, in the order results list them.
CONTROLLERS = ("memory", "pids", "cpu")
#: v1 hierarchy (controller name in /proc/self/cgroup) of each.
_V1_NAMES = {"memory": "memory", "pids": "pids", "cpu": "cpuacct"}
#: File of each v1 controller whose presence shows it is there (a root
#: cgroup has no pids.max: any cgroup has cgroup.procs).
_V1_PROBE = {"memory": "memory.limit_in_bytes", "pids": "cgroup.procs", "cpu": "cpuacct.usage"}
_PREFIX = "autopoietic-"

Counter = tuple[int, str, "str | None"]
NO_COUNTER: Counter = (-1, "", None)


@dataclass(frozen=True)
class Hierarchy:
    """Where this process's runs can get cgroups: version 1 or 2, and the
    caller's cgroup directory for each controller it can use (v2: one and
    the same for all)."""

    version: int
    bases: dict[str, str] = field(default_factory=dict)


def _mounts() -> list[tuple[str, str, str, set[str]]]:
    """(fstype, mount root, mount point, super options) of cgroup mounts."""
    found = []
    try:
        lines = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return []
    for line in lines:
        left, sep, right = line.partition(" - ")
        if not sep:
            continue
        fields, tail = left.split(), right.split()
        if len(fields) < 5 or len(tail) < 3 or tail[0] not in ("cgroup", "cgroup2"):
            continue
        mount_point = fields[4].replace("\\040", " ")
        found.append((tail[0], fields[3], mount_point, set(tail[2].split(","))))
    return found


def _own_paths() -> dict[str, str]:
    """This process's cgroup path per v1 controller, and "" for v2."""
    paths = {}
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return {}
    for line in lines:
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        for name in parts[1].split(",") if parts[1] else [""]:
            paths[name] = parts[2]
    return paths


def _join(mount_point: str, mount_root: str, path: str) -> str | None:
    if mount_root != "/" and not (path == mount_root or path.startswith(mount_root + "/")):
        return None  # our cgroup is outside what this mount shows
    rel = path[len(mount_root):] if mount_root != "/" else path
    return os.path.normpath(mount_point + "/" + rel.lstrip("/"))


def _writable(path: str) -> bool:
    return os.path.isdir(path) and os.access(path, os.W_OK | os.X_OK)


def _v1() -> tuple[Hierarchy | None, str]:
    own = _own_paths()
    bases: dict[str, str] = {}
    missing = []
    for controller in CONTROLLERS:
        name = _V1_NAMES[controller]
        base = None
        for fstype, root, point, options in _mounts():
            if fstype == "cgroup" and name in options and name in own:
                base = _join(point, root, own[name])
                break
        if base is None or not os.path.exists(os.path.join(base, _V1_PROBE[controller])):
            missing.append(f"{name} (not mounted)")
        elif not _writable(base):
            missing.append(f"{name} ({base} is not writable by uid {os.geteuid()})")
        else:
            bases[controller] = base
    if not bases:
        return None, "cgroup v1: " + ", ".join(missing)
    return Hierarchy(1, bases), ("cgroup v1 without " + ", ".join(missing)) if missing else ""


def _v2_base() -> str | None:
    explicit = os.environ.get("AUTOPOIETIC_CGROUP_PARENT", "")
    if explicit:
        return os.path.normpath(explicit)
    own = _own_paths().get("")
    if own is None:
        return None
    for fstype, root, point, _ in _mounts():
        if fstype == "cgroup2":
            return _join(point, root, own)
    return None


def _v2() -> tuple[Hierarchy | None, str]:
    base = _v2_base()
    if base is None or not os.path.exists(os.path.join(base, "cgroup.procs")):
        return None, "cgroup v2: not mounted"
    if not _writable(base):
        return None, f"cgroup v2: {base} is not writable by uid {os.geteuid()}"
    try:
        enabled = set(Path(base, "cgroup.subtree_control").read_text().split())
        available = set(Path(base, "cgroup.controllers").read_text().split())
    except OSError as exc:
        return None, f"cgroup v2: {base}: {exc}"
    wanted = {"memory", "pids"} & available
    if wanted - enabled:
        # possible only where no process lives in base ("no internal
        # processes"): a delegated parent, not the caller's own cgroup
        try:
            Path(base, "cgroup.subtree_control").write_text(" ".join("+" + c for c in sorted(wanted - enabled)))
            enabled |= wanted
        except OSError:
            pass
    # CPU time is in every cgroup's cpu.stat, with or without the controller
    bases = {c: base for c in CONTROLLERS if c == "cpu" or c in enabled}
    missing = [c for c in ("memory", "pids") if c not in bases]
    note = f"cgroup v2 at {base} without {', '.join(missing)} in its cgroup.subtree_control" if missing else ""
    return Hierarchy(2, bases), note


@functools.lru_cache(maxsize=None)
def discover() -> tuple[Hierarchy | None, str]:
    """The hierarchy runs of this process use (None: none) and what is
    missing, in words.  Read once per process."""
    choice = os.environ.get("AUTOPOIETIC_CGROUP", "")
    if choice == "off":
        return None, "cgroups are turned off (AUTOPOIETIC_CGROUP=off)"
    if choice in ("v1", "v2"):
        return _v1() if choice == "v1" else _v2()
    if choice:
        logger.warning("autopoietic: AUTOPOIETIC_CGROUP=%r is not one of off, v1, v2: ignored", choice)
    candidates = [_v2(), _v1()]
    usable = [c for c in candidates if c[0] is not None]
    if not usable:
        return None, "; ".join(reason for _, reason in candidates)
    return max(usable, key=lambda c: len(c[0].bases) if c[0] else 0)


#: The name of a session's directory starts so (SandboxCgroup.child).
SESSION_PREFIX = "session-"


def _rmdir(path: str, wait_s: float) -> bool:
    """rmdir path; a cgroup busy for the moment its last tasks take to
    exit is tried again for up to wait_s seconds.  True when it is gone."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            os.rmdir(path)
            return True
        except FileNotFoundError:
            return True
        except OSError as exc:
            if exc.errno != errno.EBUSY or time.monotonic() >= deadline:
                return False
        time.sleep(0.002)


def _sweep(parent: str, wait_s: float = 0.0, depth: int = 2) -> bool:
    """Remove every run cgroup in parent (and in its sessions' directories,
    one level down), then parent; True when gone."""
    try:
        entries = list(os.scandir(parent))
    except FileNotFoundError:
        return True
    except OSError:
        return False
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            if depth > 1 and entry.name.startswith(SESSION_PREFIX):
                _sweep(entry.path, wait_s, depth - 1)
            else:
                _rmdir(entry.path, wait_s)
    return _rmdir(parent, wait_s)


def dead_owners(parent: str) -> list[os.DirEntry[str]]:
    """Directories ``autopoietic-<pid>-*`` in parent (work directories,
    cgroups) whose process is gone: no live process has that pid.  A
    reused pid only keeps a stale one."""
    found = []
    try:
        entries = list(os.scandir(parent))
    except OSError:
        return []
    for entry in entries:
        parts = entry.name.split("-")
        if len(parts) != 3 or entry.name[:len(_PREFIX)] != _PREFIX or not parts[1].isdigit():
            continue
        try:
            if not entry.is_dir(follow_symlinks=False):
                continue
            os.kill(int(parts[1]), 0)
        except ProcessLookupError:
            found.append(entry)
        except OSError:
            continue  # alive (EPERM: another user's process of that pid) or unreadable
    return found


def remove_stale(hierarchy: Hierarchy) -> None:
    """Remove the cgroups of sandbox objects whose process is gone (killed
    with SIGKILL, say), as _workdirs.py does for work directories."""
    for base in set(hierarchy.bases.values()):
        for entry in dead_owners(base):
            _sweep(entry.path)


def _join_method(hierarchy: Hierarchy) -> int:
    """How init gets into its run's cgroup (sandbox.h, SBX_CGROUP_JOIN_*).

    Moving a whole process (cgroup.procs) takes the kernel's
    cgroup_threadgroup_rwsem for writing, whose RCU grace period cost 6-14
    ms per run here.  v1: init writes 0 to ``tasks`` (itself, one thread:
    no global lock on Linux 6.x).  v2: clone3's CLONE_INTO_CGROUP (5.7).
    """
    if hierarchy.version == 1:
        return _sandbox.CGROUP_JOIN_TASKS
    release = tuple(int(x) for x in re.findall(r"\d+", os.uname().release)[:2])
    return _sandbox.CGROUP_JOIN_CLONE_INTO if release >= (5, 7) else _sandbox.CGROUP_JOIN_PROCS


class SandboxCgroup:
    """The cgroup of one sandbox object, under which C makes each run's.

    ``SandboxCgroup(hierarchy, memory_bytes, max_pids)``; ``plan`` is the
    ``cgroup`` argument of ``_sandbox.run``/``prepare``; ``controllers``
    what it bounds.  Raises ``OSError`` when the directories cannot be
    made (nothing is left behind).
    """

    def __init__(self, hierarchy: Hierarchy, memory_bytes: int, max_pids: int) -> None:
        self.hierarchy = hierarchy
        self.owner_pid = os.getpid()
        name = f"{_PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
        # one directory per distinct base (v2: all controllers share one)
        bases = sorted(set(hierarchy.bases.values()))
        self.parents = tuple(os.path.join(base, name) for base in bases)
        index = {base: i for i, base in enumerate(bases)}
        at = {c: index[b] for c, b in hierarchy.bases.items()}
        made: list[str] = []
        try:
            for parent in self.parents:
                os.mkdir(parent, 0o755)
                made.append(parent)
            if hierarchy.version == 2:
                enable = [c for c in ("memory", "pids") if c in at]
                if enable:
                    Path(self.parents[0], "cgroup.subtree_control").write_text(" ".join("+" + c for c in enable))
        except OSError:
            for parent in reversed(made):
                _sweep(parent)
            raise
        writes: list[tuple[int, str, str]] = []
        memory = str(memory_bytes)
        if "memory" in at:
            i = at["memory"]
            if hierarchy.version == 1:
                writes.append((i, "memory.limit_in_bytes", memory))
                if os.path.exists(os.path.join(hierarchy.bases["memory"], "memory.memsw.limit_in_bytes")):
                    writes.append((i, "memory.memsw.limit_in_bytes", memory))
            else:
                writes.append((i, "memory.max", memory))
                if os.path.exists(os.path.join(self.parents[i], "memory.swap.max")):
                    writes.append((i, "memory.swap.max", "0"))
        if "pids" in at:
            writes.append((at["pids"], "pids.max", str(max_pids)))
        v1 = hierarchy.version == 1
        cpu: Counter = NO_COUNTER
        if "cpu" in at:
            cpu = (at["cpu"], "cpuacct.usage", None) if v1 else (at["cpu"], "cpu.stat", "usage_usec")
        peak: Counter = NO_COUNTER
        oom: Counter = NO_COUNTER
        if "memory" in at:
            peak = (at["memory"], "memory.max_usage_in_bytes", None) if v1 else (at["memory"], "memory.peak", None)
            oom = (at["memory"], "memory.oom_control", "oom_kill") if v1 else (at["memory"], "memory.events",
                                                                               "oom_kill")
        self.plan = (self.parents, tuple(writes), cpu, 1e-9 if v1 else 1e-6, peak, oom, _join_method(hierarchy))
        self.controllers = [c for c in CONTROLLERS if c in at]
        self._limits = (memory, str(max_pids))
        self._lock = threading.Lock()

    def plan_for(self, memory_bytes: int, max_pids: int) -> _sandbox.CgroupPlan:
        """``plan`` with another memory limit (bytes) and pids.max for one
        run (a per-call limit: each run's cgroup gets its own values)."""
        values = (str(memory_bytes), str(max_pids))
        if values == self._limits:
            return self.plan
        memory_files = ("memory.limit_in_bytes", "memory.memsw.limit_in_bytes", "memory.max")
        writes = tuple((i, name, values[1] if name == "pids.max" else values[0] if name in memory_files else value)
                       for i, name, value in self.plan[1])
        return (self.plan[0], writes) + self.plan[2:]

    def child(self, name: str) -> SessionCgroup:
        """A directory of its own under this one (a session's), under which
        C makes the session's run cgroup; its counters are read while the
        run goes on.  Raises OSError (nothing left behind)."""
        return SessionCgroup(self, name)


    def remove(self) -> None:
        """Remove the directories (the runs' are removed as they are reaped;
        any left by a run whose reaper died go too).  In a forked copy of
        the creating process: nothing."""
        if os.getpid() != self.owner_pid:
            return
        with self._lock:
            for parent in self.parents:
                # the runs of fork servers stopped just before: their
                # sandboxes die with them (PR_SET_PDEATHSIG), a moment later
                if not _sweep(parent, wait_s=2.0):
                    logger.warning("autopoietic: could not remove the cgroup %s", parent)


class SessionCgroup:
    """A directory for sessions under a sandbox object's cgroup (one per
    worker thread: _session.SessionHost): the same plan one level down,
    and the OOM kill counts of the run cgroups in it.  SandboxCgroup.remove
    removes it."""

    def __init__(self, parent: SandboxCgroup, name: str) -> None:
        self.owner_pid = os.getpid()
        self.parents = tuple(os.path.join(p, name) for p in parent.parents)
        made: list[str] = []
        try:
            for path in self.parents:
                os.mkdir(path, 0o755)
                made.append(path)
            if parent.hierarchy.version == 2:
                enabled = Path(parent.parents[0], "cgroup.subtree_control").read_text().split()
                if enabled:
                    Path(self.parents[0], "cgroup.subtree_control").write_text(" ".join("+" + c for c in enabled))
        except OSError:
            for path in reversed(made):
                _sweep(path)
            raise
        self._parent = parent
        self.controllers = parent.controllers
        self.plan = (self.parents,) + parent.plan[1:]
        oom = parent.plan[5]
        self._oom_file = os.path.join(self.parents[oom[0]], oom[1]) if oom[0] >= 0 else None
        self._oom_key = oom[2]

    def plan_for(self, memory_bytes: int, max_pids: int) -> _sandbox.CgroupPlan:
        return (self.parents,) + self._parent.plan_for(memory_bytes, max_pids)[1:]

    def oom_counts(self) -> dict[str, int]:
        """{run cgroup's name: processes the OOM killer killed in it} of
        the run cgroups in this directory now (each one's own count: v1
        counts per cgroup); {} without a memory counter."""
        counts: dict[str, int] = {}
        if self._oom_file is None:
            return counts
        directory, name = os.path.split(self._oom_file)
        try:
            runs = [entry for entry in os.scandir(directory) if entry.is_dir(follow_symlinks=False)]
        except OSError:
            return counts
        for run in runs:
            try:
                with open(os.path.join(run.path, name)) as f:
                    for line in f:
                        key, _, value = line.partition(" ")
                        if key == self._oom_key:
                            counts[run.name] = int(value)
            except (OSError, ValueError):
                continue  # removed meanwhile (a finished run's)
        return counts


class LazyCgroup:
    """The cgroup of one sandbox object, made at its first run, or never
    where none can be written here (``status()`` says why).

    ``LazyCgroup(enabled, memory_bytes, max_pids)``: ``enabled`` False is
    ``use_cgroup=False``; ``max_pids`` counts the sandbox's init.
    """

    def __init__(self, enabled: bool, memory_bytes: int, max_pids: int) -> None:
        self.memory_bytes = memory_bytes
        self.max_pids = max_pids
        self._lock = threading.Lock()
        self._cgroup: SandboxCgroup | None = None
        self._note: str | None = None if enabled else "turned off (use_cgroup=False)"
        self._removed = False

    def get(self) -> SandboxCgroup | None:
        """The cgroup (made at the first call), or None; None for good
        once remove() ran (nothing removes a cgroup made after it)."""
        with self._lock:
            if self._removed:
                return None
            if self._cgroup is None and self._note is None:
                hierarchy, note = discover()
                if hierarchy is None:
                    self._note = note
                    return None
                remove_stale(hierarchy)
                try:
                    self._cgroup = SandboxCgroup(hierarchy, self.memory_bytes, self.max_pids)
                except OSError as exc:
                    self._note = f"cannot create a cgroup under {sorted(hierarchy.bases.values())}: {exc}"
                    logger.warning("autopoietic: runs go without a cgroup: %s", self._note)
                    return None
                self._note = note
            return self._cgroup

    def status(self) -> tuple[list[str], str]:
        """(controllers each run's cgroup applies, what is missing and why)."""
        cgroup = self.get()
        return (list(cgroup.controllers) if cgroup else []), self._note or ""

    def remove(self) -> None:
        """Remove the cgroup if it was made (SandboxCgroup.remove); get()
        makes none from then on."""
        with self._lock:
            if not self._removed:
                self._removed = True
                if self._note is None or self._cgroup is not None:
                    self._note = "the sandbox was cleaned up"
            if self._cgroup is not None:
                self._cgroup.remove()
