"""Run untrusted, machine-generated Python components in isolation.

The public API of SPEC section 3 over the C extension ``autopoietic._sandbox``:

>>> from autopoietic.sandbox import AutopoieticSandbox
>>> with AutopoieticSandbox() as sandbox:                      # doctest: +SKIP
...     result = sandbox.execute_component(code, "my_component")

Each run gets a fresh child cloned by the extension into new pid, ipc, uts,
net, mount and cgroup namespaces (plus a user namespace when the caller is not
root, so no sudo is needed), with rlimits, a seccomp filter, a wall-clock
timeout that kills the whole process tree and a CPU-time limit checked from
the parent.  In warm mode (the default) the child is cloned from a fork
server per calling thread that has the interpreter already started
(``_forkserver.py``); in spawn mode it execs a fresh interpreter.  The result
is a plain dict with every key of SPEC section 4 (see ``ExecutionResult``).

Where namespaces cannot be created at all, runs fall back to
``direct-execution`` (rlimits, own session, closed fds, clean environment)
with a logged WARNING, unless isolation is required (``require_isolation=True``
or ``AUTOPOIETIC_REQUIRE_ISOLATION=1``), which raises ``SandboxError`` instead.
"""

from __future__ import annotations

import errno
import hmac
import keyword
import logging
import math
import os
import resource
import secrets
import shutil
import signal
import stat
import sys
import tempfile
import threading
import time
import weakref
import fcntl
import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Optional, TypedDict

from . import _cgroup, _rootfs, _sandbox
from ._forkserver import ForkServer, ForkServerDied, ForkServerError

if TYPE_CHECKING:
    from ._sandbox import RunResult
from .validator import DEFAULT_POLICY, Finding, ValidatorPolicy, validate

__all__ = [
    "AutopoieticSandbox",
    "ExecutionResult",
    "Finding",
    "SandboxError",
    "create_secure_sandbox",
]

logger = logging.getLogger(__name__)

#: Default bound on component source (bytes of UTF-8), SPEC section 3.
DEFAULT_MAX_CODE_BYTES = 1 << 20
#: Default cap on captured stdout and on stderr, each (bytes), SPEC section 4.
DEFAULT_MAX_OUTPUT_BYTES = 1 << 20
#: RLIMIT_NOFILE inside the sandbox.
DEFAULT_MAX_OPEN_FILES = 1024
#: Longest accepted component name (it becomes a file name).
MAX_NAME_LENGTH = 128

#: Default RLIMIT_NPROC (processes and threads) inside the sandbox.
DEFAULT_MAX_PROCESSES = 64
#: Default size of each of the sandbox's /tmp and /work (tmpfs), MiB.
DEFAULT_MAX_DISK_MB = 64
#: Inodes (files and directories) of each of /tmp and /work.
SCRATCH_INODES = 4096
#: RLIMIT_SIGPENDING inside the sandbox: real-time and sigqueue'd signals
#: queued at once by all of its processes (see _rlimits).
SIGPENDING_LIMIT = 64
#: The unprivileged uid/gid the component runs as (inside; for root callers
#: on the host too).
SANDBOX_UID = 65534

_FULL_NAMESPACES = ("pid", "ipc", "uts", "net", "mnt", "cgroup")
_NO_NET_NAMESPACES = ("pid", "ipc", "uts", "mnt", "cgroup")
# Setup stages whose failure means "this host does not let us create or
# enter namespaces", as opposed to a failure of the run itself.
_NAMESPACE_STAGES = frozenset(
    {"clone", "setgroups", "uid_map", "gid_map", "cgroup_ns", "sethostname", "mount_private", "mount_proc"}
)
_CLONE_REFUSALS = frozenset({errno.EPERM, errno.EACCES, errno.ENOSPC, errno.EUSERS, errno.EINVAL, errno.ENOSYS})
_LIMIT_NAMES = frozenset({"memory", "cpu_time", "file_size", "open_files", "processes"})
_MODES = ("warm", "spawn")
_CANCELLED = "cancelled: cleanup() was called during the run; the process tree was killed"
_RUNNER_SOURCE = (Path(__file__).with_name("_runner.py")).read_text(encoding="utf-8")


class ExecutionResult(TypedDict):
    """The result dict of SPEC section 4: every key is always present."""

    success: bool
    output: str
    error: str
    execution_time: float
    isolation: str
    security_validated: bool
    exit_code: Optional[int]
    signal: Optional[int]
    timed_out: bool
    limit_exceeded: Optional[str]
    cpu_time_s: float
    max_rss_kib: int
    output_truncated: bool
    namespaces: list[str]
    oom_killed: bool
    cgroup_controllers: list[str]


class SandboxError(Exception):
    """Validation refused, bad input, or isolation required but unavailable.

    ``findings`` lists the validator's ``Finding`` objects when the validator
    refused the code, and is empty otherwise.
    """

    def __init__(self, message: str, findings: tuple[Finding, ...] | list[Finding] = ()) -> None:
        super().__init__(message)
        self.findings: list[Finding] = list(findings)


# ---------------------------------------------------------------------------
# Which namespaces this process can use: probed by the first run, then cached.


def _namespace_hint(stage: str, err: int) -> str:
    """A human explanation of why namespaces could not be set up."""
    if stage == "clone" and err in (errno.EPERM, errno.EACCES):
        return (
            "creating namespaces is not permitted: unprivileged user namespaces may be "
            "disabled (sysctl kernel.unprivileged_userns_clone=0, or AppArmor's "
            "kernel.apparmor_restrict_unprivileged_userns=1 on Ubuntu 24.04), or a "
            "container's seccomp policy or missing CAP_SYS_ADMIN forbids it"
        )
    if stage == "clone" and err in (errno.ENOSPC, errno.EUSERS):
        return ("a namespace limit is reached (sysctl user.max_user_namespaces, user.max_net_namespaces, "
                "user.max_pid_namespaces ... is 0 or exhausted)")
    if stage == "clone" and err in (errno.EINVAL, errno.ENOSYS):
        return "the kernel does not support one of the namespaces (pid, ipc, uts, net, mnt, cgroup, user)"
    if stage in ("setgroups", "uid_map", "gid_map"):
        return "writing the user namespace's id maps was refused"
    if stage == "mount_proc":
        return "mounting a /proc of the new pid namespace was refused (a container that masks /proc?)"
    return f"namespace setup step {stage} was refused"


class _NamespacePlan:
    """Process-wide: the namespace sets still worth trying, best first."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._candidates: list[tuple[str, ...]] | None = None
        self.reason = ""

    def current(self) -> tuple[str, ...] | None:
        """The namespaces to use now, or None for direct execution."""
        with self._lock:
            if self._candidates is None:
                # The fallback ladder, best first.  A user namespace first,
                # for root too: the component then holds no capability of
                # the host.  root may create the other namespaces without
                # one where user namespaces are disabled.  Then the same
                # without a network namespace, where creating one fails.
                if os.geteuid() == 0:
                    self._candidates = [("user",) + _FULL_NAMESPACES, _FULL_NAMESPACES,
                                        ("user",) + _NO_NET_NAMESPACES, _NO_NET_NAMESPACES]
                else:
                    self._candidates = [("user",) + _FULL_NAMESPACES, ("user",) + _NO_NET_NAMESPACES]
            return self._candidates[0] if self._candidates else None

    def describe(self) -> tuple[list[tuple[str, ...]], str]:
        """(namespace sets still to try, reason of the last failure)."""
        self.current()
        with self._lock:
            return list(self._candidates or []), self.reason

    def failed(self, namespaces: tuple[str, ...], stage: str, err: int) -> None:
        """Record that ``namespaces`` cannot be set up on this host."""
        with self._lock:
            if not self._candidates or self._candidates[0] != namespaces:
                return  # another thread already moved on
            self._candidates.pop(0)
            self.reason = f"{stage}: {os.strerror(err)} ({_namespace_hint(stage, err)})"
            if self._candidates:
                logger.warning("autopoietic: namespaces %s unavailable (%s); trying %s", ",".join(namespaces),
                               self.reason, ",".join(self._candidates[0]))
            else:
                logger.warning(
                    "autopoietic: Linux namespaces are unavailable on this host (%s); sandboxes fall "
                    "back to direct-execution (rlimits, seccomp, no_new_privs, own session, closed fds, "
                    "clean environment) unless they require isolation (require_isolation=True or "
                    "AUTOPOIETIC_REQUIRE_ISOLATION=1), which refuses instead.",
                    self.reason,
                )


_PLAN = _NamespacePlan()


# ---------------------------------------------------------------------------


#: Upper bounds of the limits (the C layer's, and far above any real use).
_LIMIT_BOUNDS = {"max_memory_mb": 1 << 30, "max_cpu_time_seconds": 1e7, "max_file_size_kb": 1 << 40,
                 "timeout_s": 1e7, "max_disk_mb": 1 << 30}
#: The interpreter alone needs this much address space (RLIMIT_AS), MiB.
MIN_MEMORY_MB = 32


def _check_limit(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number, not {type(value).__name__}")
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    if value > _LIMIT_BOUNDS[name]:
        raise ValueError(f"{name} must be at most {_LIMIT_BOUNDS[name]:g}, got {value!r}")
    if name == "max_memory_mb" and value < MIN_MEMORY_MB:
        raise ValueError(f"max_memory_mb must be at least {MIN_MEMORY_MB}: the interpreter itself needs it")
    return value


def _check_name(component_name: object) -> str:
    if not isinstance(component_name, str):
        raise TypeError(f"component_name must be str, not {type(component_name).__name__}")
    if (
        not component_name.isascii()
        or not component_name.isidentifier()
        or keyword.iskeyword(component_name)
        or len(component_name) > MAX_NAME_LENGTH
    ):
        raise SandboxError(
            "component_name must be a plain Python identifier (ASCII letters, digits and "
            f"underscores, not a keyword, at most {MAX_NAME_LENGTH} characters); got {component_name!r}"
        )
    return component_name


def _remove_stale_roots(parent: str) -> None:
    """Remove work directories of sandboxes whose process is gone (killed
    with SIGKILL, say): ``autopoietic-<pid>-*`` owned by this uid, with no
    live process of that pid.  A reused pid only keeps a stale directory."""
    for entry in _cgroup.dead_owners(parent):
        try:
            if entry.stat(follow_symlinks=False).st_uid == os.geteuid():
                _remove_tree(entry.path)
        except OSError:
            continue


def _remove_own_tree(path: str, owner_pid: int) -> None:
    if os.getpid() == owner_pid:
        _remove_tree(path)


def _remove_tree(path: str) -> None:
    """Remove a work directory, also where the component removed our
    permission bits on what it made (direct execution as a normal user)."""
    if not os.path.lexists(path):
        return
    shutil.rmtree(path, ignore_errors=True)
    if not os.path.lexists(path):
        return
    for dirpath, dirnames, _ in os.walk(path):
        for d in dirnames:
            full = os.path.join(dirpath, d)
            if not os.path.islink(full):
                try:
                    os.chmod(full, stat.S_IRWXU)
                except OSError:
                    pass
    try:
        os.chmod(path, stat.S_IRWXU)
    except OSError:
        pass
    shutil.rmtree(path, ignore_errors=True)
    if os.path.lexists(path):
        logger.warning("autopoietic: could not remove the work directory %s", path)


@functools.lru_cache(maxsize=None)
def _nobody_exists() -> bool:
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


def _subordinate_ranges() -> list[tuple[int, int]]:
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


def _free_private_id() -> int | None:
    """A number in PRIVATE_ID_RANGE that this user namespace maps as uid and
    as gid, that no account or group names, no visible process uses, no
    subordinate id range (/etc/subuid, /etc/subgid) covers and no other
    sandbox object of this process got; None when none is found in a few
    random tries."""
    import grp
    import pwd

    uids, gids = _mapped_ids("uid_map"), _mapped_ids("gid_map")
    used = _ids_in_use()
    subordinate = _subordinate_ranges()
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


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _namespaces_refused(setup: tuple[str, int, int], options: dict[str, Any]) -> bool:
    """Did the setup fail because the host refuses these namespaces (so a
    lesser rung of the ladder may work), rather than for this run?"""
    stage, err, detail = setup
    # a refusal, not a passing shortage (EAGAIN, ENOMEM: the run fails, the
    # next one tries full isolation again)
    if err not in _CLONE_REFUSALS:
        return False
    if stage in _NAMESPACE_STAGES:
        return True
    mounts = options.get("mounts", ())
    # mounting a proc of our own pid namespace is refused in containers that
    # mask parts of /proc: that is the host, not the run
    return stage == "mount" and 0 <= detail < len(mounts) and mounts[detail][0] == "proc"


class _Verdict(NamedTuple):
    """What the runner reported on its private pipe (see _runner.py)."""

    status: str  # "ok" or "error"
    stage: str
    limit: str  # one of _LIMIT_NAMES, or ""
    peak_rss_kib: int
    reason: str


def _parse_verdict(data: bytes, nonce: str) -> _Verdict | None:
    """The verdict in data if it is well formed and carries nonce."""
    try:
        fields = data.decode("utf-8").split("\x1f")
    except UnicodeDecodeError:
        return None
    if len(fields) != 6 or not hmac.compare_digest(fields[0], nonce) or not fields[4].isdigit():
        return None
    status, stage, limit, rss, reason = fields[1:]
    if status not in ("ok", "error") or (limit and limit not in _LIMIT_NAMES):
        return None
    return _Verdict(status, stage, limit, int(rss), reason)


class AutopoieticSandbox:
    """Validate and run components in Linux namespaces with resource limits.

    ``AutopoieticSandbox(max_memory_mb=100, max_cpu_time_seconds=30,
    max_file_size_kb=1024, temp_dir=None, *, timeout_s=None,
    max_output_bytes=1048576, max_code_bytes=1048576, max_open_files=1024,
    require_isolation=None, validate_code=True, max_processes=64,
    max_disk_mb=64, validator_policy=DEFAULT_POLICY, mode=None,
    use_cgroup=True)``

    - ``max_memory_mb`` (MiB): memory of the whole process tree, where a
      cgroup applies (kernel memory, tmpfs and page cache included, no
      swap; the cgroup's OOM killer ends a tree over it:
      ``limit_exceeded == "memory"``, ``oom_killed``), and RLIMIT_AS of
      each process everywhere (a process over it gets MemoryError).
    - ``max_cpu_time_seconds`` (s): CPU time of the whole process tree;
      RLIMIT_CPU (whole seconds, per process) plus a check from the parent,
      which reads the cgroup's counter where one applies (it counts
      children nobody waited for) and sums ``/proc`` otherwise (where a
      component then cannot change SIGCHLD's action: seccomp, EPERM).
    - ``max_file_size_kb`` (KiB): RLIMIT_FSIZE, the largest file it may write.
    - ``temp_dir``: where this sandbox keeps its private work directories
      (default: the system temp directory).
    - ``timeout_s`` (s): wall-clock limit from spawn to reap; default
      ``max_cpu_time_seconds``.  The whole process tree is killed at it.
    - ``max_output_bytes``: stdout and stderr are each captured up to this
      size; the rest is read and dropped (``output_truncated``).
    - ``max_code_bytes``: larger component source is refused.
    - ``max_open_files``: RLIMIT_NOFILE.
    - ``max_processes``: processes and threads of the component, its main
      process included: the cgroup's ``pids.max`` where one applies, and
      RLIMIT_NPROC (a fork bomb ends with ``limit_exceeded == "processes"``).
    - ``max_disk_mb`` (MiB): size of each of the sandbox's ``/tmp`` and
      ``/work`` (tmpfs; RLIMIT_FSIZE caps one file, this the total).
    - ``require_isolation``: raise ``SandboxError`` instead of falling back to
      ``direct-execution`` when namespaces are unavailable.  ``None`` reads
      the environment variable ``AUTOPOIETIC_REQUIRE_ISOLATION`` (``1``: on).
    - ``validator_policy``: what the validator refuses
      (``autopoietic.validator.ValidatorPolicy``; the default is
      ``DEFAULT_POLICY``).
    - ``validate_code``: ``False`` skips the validator in
      ``execute_component`` (results say ``security_validated: False``); the
      kernel isolation still applies.
    - ``mode``: ``"warm"`` (default) clones each sandbox from a fork server,
      an interpreter started once per sandbox object and calling thread
      with the standard library modules components use already imported;
      ``"spawn"`` starts a fresh interpreter per run.  Both give the same
      isolation, limits and result dict (SPEC section 8).  ``None`` reads
      the environment variable ``AUTOPOIETIC_MODE``.  Warm mode falls back to
      spawn, with a logged WARNING saying why, when the fork server cannot
      start, and direct execution always spawns.
    - ``use_cgroup``: give each run a cgroup of its own where the host lets
      this process write one (``autopoietic/_cgroup.py``, docs/limits.md;
      ``AUTOPOIETIC_CGROUP=off`` turns it off process-wide); ``False``:
      per-process limits only.  ``cgroup_status()`` says what applies.

    Raises ``TypeError`` or ``ValueError`` for limits that are not positive
    numbers and ``SandboxError`` when the work directory cannot be created.
    Thread-safe: concurrent calls get separate children and directories.
    """

    def __init__(
        self,
        max_memory_mb: float = 100,
        max_cpu_time_seconds: float = 30,
        max_file_size_kb: float = 1024,
        temp_dir: str | os.PathLike[str] | None = None,
        *,
        timeout_s: float | None = None,
        max_output_bytes: int = DEFAULT_MAX_OUTPUT_BYTES,
        max_code_bytes: int = DEFAULT_MAX_CODE_BYTES,
        max_open_files: int = DEFAULT_MAX_OPEN_FILES,
        require_isolation: bool | None = None,
        validate_code: bool = True,
        max_processes: int = DEFAULT_MAX_PROCESSES,
        max_disk_mb: float = DEFAULT_MAX_DISK_MB,
        validator_policy: ValidatorPolicy = DEFAULT_POLICY,
        mode: str | None = None,
        use_cgroup: bool = True,
    ) -> None:
        self.max_memory_mb = _check_limit("max_memory_mb", max_memory_mb)
        self.max_cpu_time_seconds = _check_limit("max_cpu_time_seconds", max_cpu_time_seconds)
        self.max_file_size_kb = _check_limit("max_file_size_kb", max_file_size_kb)
        self.timeout_s = _check_limit("timeout_s", self.max_cpu_time_seconds if timeout_s is None else timeout_s)
        self.max_disk_mb = _check_limit("max_disk_mb", max_disk_mb)
        for name, value in (
            ("max_output_bytes", max_output_bytes),
            ("max_code_bytes", max_code_bytes),
            ("max_open_files", max_open_files),
            ("max_processes", max_processes),
        ):
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"{name} must be an int, not {type(value).__name__}")
            if value <= 0:
                raise ValueError(f"{name} must be > 0, got {value}")
            if name in ("max_open_files", "max_processes") and value > 1 << 20:
                raise ValueError(f"{name} must be at most {1 << 20}, got {value}")
        if max_output_bytes > 1 << 30:
            raise ValueError("max_output_bytes must be at most 1 GiB")
        self.max_output_bytes = max_output_bytes
        self.max_code_bytes = max_code_bytes
        self.max_open_files = max_open_files
        self.max_processes = max_processes
        if require_isolation is None:
            require_isolation = os.environ.get("AUTOPOIETIC_REQUIRE_ISOLATION", "") == "1"
        self.require_isolation = bool(require_isolation)
        self.validate_code = bool(validate_code)
        if not isinstance(validator_policy, ValidatorPolicy):
            raise TypeError(f"validator_policy must be a ValidatorPolicy, not {type(validator_policy).__name__}")
        self.validator_policy = validator_policy
        source = "mode"
        if mode is None:
            mode, source = os.environ.get("AUTOPOIETIC_MODE", "") or "warm", "AUTOPOIETIC_MODE"
        if mode not in _MODES:
            raise ValueError(f"{source} must be one of {', '.join(_MODES)}, got {mode!r}")
        self.mode = mode
        # warm mode: one fork server per calling thread (each serves one run
        # at a time), all of them stopped by cleanup()
        self._servers = threading.local()
        self._all_servers: weakref.WeakSet[ForkServer] = weakref.WeakSet()
        self._servers_lock = threading.Lock()
        self._warm_failure: str | None = None

        python = os.path.realpath(sys.executable) if sys.executable else ""
        if not python or not os.access(python, os.X_OK):
            raise SandboxError("no Python interpreter to run components with (sys.executable is empty)")
        # The real interpreter, not a venv's link to it: components run with
        # -I -S and see the standard library only.
        self._python = python

        self.temp_dir = None if temp_dir is None else os.fspath(temp_dir)
        _remove_stale_roots(self.temp_dir or tempfile.gettempdir())
        try:
            # the owner's pid in the name: a caller killed with SIGKILL
            # cannot clean up, the next sandbox does (_remove_stale_roots)
            self._root = tempfile.mkdtemp(prefix=f"autopoietic-{os.getpid()}-", dir=self.temp_dir)
        except OSError as exc:
            where = self.temp_dir or tempfile.gettempdir()
            raise SandboxError(f"cannot create the sandbox's work directory under {where!r}: {exc}") from exc
        # Only the creating process removes the directory: a forked copy of
        # this process (multiprocessing, os.fork) exits without taking it.
        self._finalizer = weakref.finalize(self, _remove_own_tree, self._root, os.getpid())
        # cleanup() closes the write end: every run in flight sees its
        # cancel fd hang up and is killed (_sandbox.run(cancel_fd=...))
        self._cancel_r, cancel_w = os.pipe2(os.O_CLOEXEC)
        self._cancel = weakref.finalize(self, os.close, cancel_w)
        weakref.finalize(self, os.close, self._cancel_r)
        # the cgroup of this sandbox object, made at its first run (_cgroup)
        self._cgroup_lock = threading.Lock()
        self._cgroup: _cgroup.SandboxCgroup | None = None
        self._cgroup_note: str | None = None if use_cgroup else "turned off (use_cgroup=False)"
        self.use_cgroup = bool(use_cgroup)

    # -- context manager and cleanup ------------------------------------------

    def __enter__(self) -> AutopoieticSandbox:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.cleanup()

    def cleanup(self) -> None:
        """Remove this sandbox's work directory.  Safe to call more than once;
        the sandbox refuses further runs afterwards (``SandboxError``).  In
        a forked copy of the creating process it only ends this copy's use
        of the sandbox; the directory stays with its creator.  Runs still
        going in other threads are killed and end as cancelled
        (``success`` False, an ``error`` that says so); the fork servers of
        warm mode are stopped."""
        self._cancel()
        self._finalizer()
        with self._servers_lock:
            servers = list(self._all_servers)
            self._all_servers.clear()
        for server in servers:
            server.stop()
        with self._cgroup_lock:
            if self._cgroup is not None:
                self._cgroup.remove()

    def _run_cgroup(self) -> _cgroup.SandboxCgroup | None:
        """This sandbox object's cgroup, made at the first call, or None
        where no cgroup can be written here (cgroup_status says why)."""
        with self._cgroup_lock:
            if self._cgroup is None and self._cgroup_note is None:
                hierarchy, note = _cgroup.discover()
                if hierarchy is None:
                    self._cgroup_note = note
                    return None
                _cgroup.remove_stale(hierarchy)
                try:
                    # + 1: the sandbox's init is in the run's cgroup too
                    self._cgroup = _cgroup.SandboxCgroup(hierarchy, int(self.max_memory_mb * 1024 * 1024),
                                                         self.max_processes + 1)
                except OSError as exc:
                    self._cgroup_note = f"cannot create a cgroup under {sorted(hierarchy.bases.values())}: {exc}"
                    logger.warning("autopoietic: runs go without a cgroup: %s", self._cgroup_note)
                    return None
                weakref.finalize(self, _remove_cgroup, self._cgroup, self._all_servers)
                self._cgroup_note = note
            return self._cgroup

    def cgroup_status(self) -> tuple[list[str], str]:
        """cgroup_status() -> (controllers, note)

        The controllers (``memory``, ``pids``, ``cpu``) a cgroup of each run
        applies on this host, and in words what is missing and why
        (``""``: nothing).  Makes this sandbox's cgroup if not made yet.
        """
        cgroup = self._run_cgroup()
        return (list(cgroup.controllers) if cgroup else []), self._cgroup_note or ""

    def _fork_server(self, env: list[str]) -> ForkServer | None:
        """This thread's fork server (started or restarted as needed), or
        None when warm mode is unavailable here (logged once)."""
        if self._warm_failure is not None:
            return None
        server: ForkServer | None = getattr(self._servers, "server", None)
        if server is not None:
            if server.alive():
                return server
            server.stop()  # died, or inherited through os.fork(): not ours
        try:
            server = ForkServer(self._python, _RUNNER_SOURCE, env)
        except ForkServerError as exc:
            if exc.transient:
                logger.warning("no fork server for this run, running it in spawn mode: %s", exc)
            else:
                self._warm_failure = str(exc)
                logger.warning("warm mode is unavailable, running in spawn mode: %s", exc)
            return None
        self._servers.server = server
        with self._servers_lock:
            self._all_servers.add(server)
        return server

    # -- validation -------------------------------------------------------------

    def _encode(self, code: object, what: str) -> bytes:
        """UTF-8 bytes of code; TypeError / SandboxError for what cannot run."""
        if not isinstance(code, str):
            raise TypeError(f"{what} must be str, not {type(code).__name__}")
        try:
            data = code.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise SandboxError(f"{what} is not encodable as UTF-8: {exc.reason}") from exc
        if len(data) > self.max_code_bytes:
            raise SandboxError(f"{what} is {len(data)} bytes; the bound is max_code_bytes={self.max_code_bytes}")
        return data

    def _findings(self, data: bytes) -> list[Finding]:
        return validate(data, self.validator_policy)

    def validate_component(self, component_code: str) -> bool:
        """validate_component(component_code: str) -> bool

        True when the validator (``autopoietic.validator``, under
        ``validator_policy``) finds nothing to refuse: a lexical scan for
        denied imports, builtins, escape attributes and the component
        markers; code over ``max_code_bytes`` or not encodable as UTF-8 is
        refused too.  Raises ``TypeError`` for non-str code.
        """
        try:
            data = self._encode(component_code, "component_code")
        except SandboxError:
            return False
        return not self._findings(data)

    # -- execution --------------------------------------------------------------

    def execute_component(self, component_code: str, component_name: str) -> ExecutionResult:
        """execute_component(component_code: str, component_name: str) -> dict

        Validate ``component_code``, then run it in a fresh sandbox as module
        ``component_name`` under the component protocol (SPEC section 5): the
        first class defined in the module is instantiated, must carry
        ``_security_signature`` and ``_generated_in_sandbox``, and its
        ``run()`` must return.  Returns the dict of SPEC section 4.

        Raises ``TypeError`` for non-str arguments and ``SandboxError`` when
        the name is not a plain identifier, the code is over
        ``max_code_bytes``, the validator refuses it (``.findings``), or
        isolation is required but unavailable.
        """
        data = self._encode(component_code, "component_code")
        name = _check_name(component_name)
        if self.validate_code:
            findings = self._findings(data)
            if findings:
                summary = "; ".join(str(f) for f in findings[:5])
                more = f" (+{len(findings) - 5} more)" if len(findings) > 5 else ""
                raise SandboxError(f"component {name!r} refused by the validator: {summary}{more}", findings)
        return self._run("component", data, name, self.validate_code)

    def run_source(self, source: str) -> ExecutionResult:
        """run_source(source: str) -> dict

        Run arbitrary Python ``source`` as ``__main__`` under the same
        isolation and limits, without the validator and the component
        protocol (``security_validated`` is False).  ``success`` means exit
        status 0 (``sys.exit(0)`` included) with no limit hit.  Raises
        ``TypeError`` for non-str source and ``SandboxError`` for source over
        ``max_code_bytes`` or not encodable as UTF-8.
        """
        data = self._encode(source, "source")
        return self._run("source", data, "__main__", False)

    def _rlimits(self, namespaces: tuple[str, ...], init_shares_uid: bool) -> list[tuple[int, int, int]]:
        memory = int(self.max_memory_mb * 1024 * 1024)
        cpu = max(1, math.ceil(self.max_cpu_time_seconds))
        fsize = int(self.max_file_size_kb * 1024)
        wanted = [
            (resource.RLIMIT_AS, memory, memory),
            # soft < hard: SIGXCPU first, SIGKILL one second later
            (resource.RLIMIT_CPU, cpu, cpu + 1),
            (resource.RLIMIT_FSIZE, fsize, fsize),
            (resource.RLIMIT_NOFILE, self.max_open_files, self.max_open_files),
            (resource.RLIMIT_CORE, 0, 0),
            # POSIX message queues hold kernel memory outside RLIMIT_AS
            (resource.RLIMIT_MSGQUEUE, 0, 0),
            # Queued signals are counted per uid up the user namespace
            # chain, so a sandbox's land on the caller's host uid too; at
            # that uid's RLIMIT_SIGPENDING its other processes get EAGAIN
            # from sigqueue and timer_create, and glibc's setuid broadcast
            # to threads (a real-time signal) fails.  Only real-time and
            # sigqueue'd signals count against it: kill() and the kernel's
            # own signals (SIGCHLD) still arrive.
            (resource.RLIMIT_SIGPENDING, SIGPENDING_LIMIT, SIGPENDING_LIMIT),
            # mlock'ed pages cannot be reclaimed: none (no CAP_IPC_LOCK in
            # a sandbox lifts this).  RLIMIT_LOCKS is left alone: Linux has
            # not enforced it since 2.4.25; file locks are kernel memory,
            # charged to the run's cgroup, and bounded by RLIMIT_NOFILE.
            (resource.RLIMIT_MEMLOCK, 0, 0),
            # no real-time scheduling or raised priority over the host's
            (resource.RLIMIT_RTPRIO, 0, 0),
            (resource.RLIMIT_NICE, 0, 0),
        ]
        if namespaces:
            # Counted per user namespace and uid: only the sandbox's own
            # processes.  Without namespaces it would count all of the
            # caller's processes, so direct execution goes without.  When
            # init has the component's uid too (no switch: a normal user
            # maps only their own), it counts: one more, so the component
            # gets max_processes of its own, its main process included.
            nproc = self.max_processes + (1 if init_shares_uid else 0)
            wanted.append((resource.RLIMIT_NPROC, nproc, nproc))
        limits = []
        for res, soft, hard in wanted:
            # An unprivileged process cannot raise a hard limit: stay under ours.
            _, current_hard = resource.getrlimit(res)
            if current_hard != resource.RLIM_INFINITY:
                hard = min(hard, current_hard)
                soft = min(soft, hard)
            limits.append((res, soft, hard))
        return limits

    def _workdir(self) -> str:
        if not self._finalizer.alive:
            raise SandboxError("this sandbox was cleaned up; create a new AutopoieticSandbox")
        try:
            return tempfile.mkdtemp(prefix="run-", dir=self._root)
        except FileNotFoundError:
            # Someone removed our directory while we were in use: make it again.
            try:
                os.makedirs(self._root, mode=0o700, exist_ok=True)
                return tempfile.mkdtemp(prefix="run-", dir=self._root)
            except OSError as exc:
                raise SandboxError(f"cannot create a work directory under {self._root!r}: {exc}") from exc
        except OSError as exc:
            raise SandboxError(f"cannot create a work directory under {self._root!r}: {exc}") from exc

    def _spawn_options(self, namespaces: tuple[str, ...], workdir: str) -> dict[str, Any]:
        """Keyword arguments of _sandbox.run for one namespace set."""
        if not namespaces:
            # direct execution: the private host directory is the work dir
            return {"cwd": workdir, "home": workdir, "tmp": workdir}
        options: dict[str, Any] = {"cwd": _rootfs.SANDBOX_WORKDIR, "home": _rootfs.SANDBOX_WORKDIR,
                         "tmp": _rootfs.SANDBOX_TMPDIR, "hostname": "sandbox"}
        root = os.geteuid() == 0
        # root's components get a host uid and gid of their own (chosen
        # once per sandbox object: _free_private_id), so the kernel's
        # per-uid quotas (epoll watches, pipe buffers, inotify, processes)
        # separate them from each other and from host processes of uid
        # 65534; where none is free, uid 65534 where it exists here (not
        # so inside some containers' user namespaces)
        private = self._private_id if root else None
        host_id = private if private is not None else (SANDBOX_UID if root and _nobody_exists() else None)
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
            # a normal user can map only their own ids
            options.update(uid_map=f"{SANDBOX_UID} {os.geteuid()} 1\n",
                           gid_map=f"{SANDBOX_UID} {os.getegid()} 1\n", deny_setgroups=True)
        else:
            switch_to = host_id
        if switch_to is not None:
            options.update(uid=switch_to, gid=switch_to, clear_groups=True)
        # inside, the component's ids: 65534 with a user namespace, or the switch's
        inner = SANDBOX_UID if "user" in namespaces else switch_to
        new_root = os.path.join(workdir, "root")
        os.mkdir(new_root, 0o700)
        options["mounts"] = _rootfs.mount_ops(
            _rootfs.host_plan(self._python), new_root, scratch_bytes=int(self.max_disk_mb * 1024 * 1024),
            scratch_inodes=SCRATCH_INODES, uid=inner, gid=inner)
        return options

    @functools.cached_property
    def _private_id(self) -> int | None:
        """This sandbox's own uid and gid for root's components on rungs
        without a user namespace (chosen once: _free_private_id)."""
        return _free_private_id()

    def _run(self, mode: str, data: bytes, name: str, validated: bool) -> ExecutionResult:
        if not self._finalizer.alive:
            raise SandboxError("this sandbox was cleaned up; create a new AutopoieticSandbox")
        workdir: str | None = None
        # The source travels in a sealed memfd: the child runs exactly the
        # bytes that were validated, and no file of the host is needed.
        source_fd = os.memfd_create(f"autopoietic-{name}", os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
        try:
            _write_all(source_fd, data)
            fcntl.fcntl(source_fd, fcntl.F_ADD_SEALS,
                        fcntl.F_SEAL_SEAL | fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_GROW | fcntl.F_SEAL_WRITE)
            os.lseek(source_fd, 0, os.SEEK_SET)
            nonce = secrets.token_hex(16)
            # what the runner reads from fd 3 (_runner.py): the arguments'
            # length in 8 digits, the arguments, then the nonce (which stays
            # in the pipe until the component's code is done)
            arguments = "\x1f".join((mode, f"{name}.py", name)).encode("utf-8")
            header = b"%08d" % len(arguments) + arguments + nonce.encode("ascii")
            while True:
                namespaces = _PLAN.current()
                if self.require_isolation and (namespaces is None or not set(_FULL_NAMESPACES) <= set(namespaces)):
                    raise SandboxError(
                        "isolation is required but full isolation (pid, ipc, uts, net, mnt and cgroup "
                        f"namespaces) is unavailable on this host: {_PLAN.reason}"
                    )
                entered = namespaces or ()
                server = None
                if entered and self.mode == "warm":
                    server = self._fork_server(_environment(_rootfs.SANDBOX_WORKDIR, _rootfs.SANDBOX_TMPDIR))
                try:
                    if server is not None:
                        options = self._warm_options(server, entered)
                    else:
                        if workdir is None:
                            workdir = self._workdir()
                        options = self._spawn_options(entered, workdir)
                except OSError as exc:
                    raise SandboxError(f"cannot prepare the sandbox's root file system: {exc}") from exc
                env = _environment(options.pop("home"), options.pop("tmp"))
                cwd = options.pop("cwd")
                cgroup = self._run_cgroup()
                controllers = list(cgroup.controllers) if cgroup else []
                options.update(namespaces=entered, rlimits=self._rlimits(entered, "uid" not in options),
                               timeout_s=self.timeout_s, cpu_time_s=self.max_cpu_time_seconds,
                               output_limit=self.max_output_bytes, cgroup=cgroup.plan if cgroup else None,
                               deny_sigchld_ignore="cpu" not in controllers)
                if server is not None:
                    started = time.monotonic()
                    try:
                        raw = server.run(([self._python], env, cwd), options, source_fd, header,
                                         self.max_output_bytes, self.timeout_s, self._cancel_r)
                    except ForkServerDied as exc:
                        return _failed_result(str(exc), time.monotonic() - started, entered, validated,
                                              controllers)
                else:
                    argv = [self._python, "-I", "-S", "-B", "-X", "utf8", "-c", _RUNNER_SOURCE]
                    raw = _sandbox.run(argv, env, cwd, nonce=header, source_fd=source_fd, cancel_fd=self._cancel_r,
                                       **options)
                setup = raw["setup_error"]
                if namespaces is not None and setup is not None and _namespaces_refused(setup, options):
                    _PLAN.failed(namespaces, setup[0], setup[1])
                    if workdir is not None:
                        _remove_tree(os.path.join(workdir, "root"))
                    continue
                return self._result(raw, entered, nonce, mode, validated, options.get("mounts", ()), controllers)
        finally:
            os.close(source_fd)
            if workdir is not None:
                _remove_tree(workdir)

    def _warm_options(self, server: ForkServer, namespaces: tuple[str, ...]) -> dict[str, Any]:
        """_spawn_options for a run on server: its work directory (only the
        mount point of the new root, which lives in the sandbox's own mount
        namespace) and mount plan are made once and reused."""
        cached = server.cache.get(namespaces)
        if cached is None or not os.path.isdir(os.path.join(cached[0], "root")):
            workdir = self._workdir()
            server.directories.append(workdir)
            cached = (workdir, self._spawn_options(namespaces, workdir))
            server.cache[namespaces] = cached
        return dict(cached[1])

    def _limit_reason(self, limit: str, oom: bool = False) -> str:
        """Why a run that hit limit failed, with this sandbox's value of it."""
        return {
            "wall_time": f"timed out after {self.timeout_s:g} s of wall-clock time; the process tree was killed",
            "cpu_time": f"CPU time limit of {self.max_cpu_time_seconds:g} s exceeded; the process tree was killed",
            "memory": f"memory limit of {self.max_memory_mb:g} MB exceeded ("
                      + ("the cgroup's OOM killer killed a process of the tree)" if oom else "RLIMIT_AS)"),
            "file_size": f"file size limit of {self.max_file_size_kb:g} KB (RLIMIT_FSIZE) exceeded",
            "open_files": f"open file limit of {self.max_open_files} (RLIMIT_NOFILE) reached",
            "processes": "process limit reached",
            "output": f"output over {self.max_output_bytes} bytes per stream was dropped",
        }[limit]

    def _result(
        self, raw: RunResult, namespaces: tuple[str, ...], nonce: str, mode: str, validated: bool,
        mounts: list[tuple[str, str | None, str, int, str | None]], controllers: list[str]
    ) -> ExecutionResult:
        stdout = raw["stdout"].decode("utf-8", "replace")
        stderr = raw["stderr"].decode("utf-8", "replace")
        truncated = bool(raw["stdout_truncated"] or raw["stderr_truncated"])
        result: ExecutionResult = {
            "success": False,
            "output": stdout,
            "error": stderr,
            "execution_time": float(raw["wall_s"]),
            "isolation": "unshare-namespaces" if namespaces else "direct-execution",
            "security_validated": validated,
            "exit_code": raw["exit_code"],
            "signal": raw["signal"],
            "timed_out": bool(raw["timed_out"]),
            "limit_exceeded": None,
            "cpu_time_s": float(raw["cpu_s"]),
            "max_rss_kib": int(raw["max_rss_kib"]),
            "output_truncated": truncated,
            "namespaces": list(namespaces),
            "oom_killed": raw["cgroup_oom_kills"] > 0,
            "cgroup_controllers": list(controllers),
        }
        if raw["setup_error"] is not None:
            stage, err, detail = raw["setup_error"]
            where = stage
            if stage == "mount" and 0 <= detail < len(mounts):
                kind, src, dst, _, _ = mounts[detail]
                where = f"mount ({kind} {src + ' -> ' if src else ''}{dst})"
            result["isolation"] = "error"
            result["error"] = (
                f"sandbox setup failed at stage {where}: {os.strerror(err)} (errno {err})"
                + (f"\n{stderr}" if stderr else "")
            )
            return result

        if raw["cancelled"]:
            sep = "\n" if stderr and not stderr.endswith("\n") else ""
            result["error"] = f"{stderr}{sep}autopoietic: {_CANCELLED}"
            return result
        verdict = _parse_verdict(raw["verdict"], nonce) if raw["verdict"] else None
        # the whole tree's peak: the cgroup's where there is one (which the
        # component cannot report itself), else the largest process seen
        if raw["cgroup_memory_peak"] > 0:
            result["max_rss_kib"] = raw["cgroup_memory_peak"] // 1024
        elif verdict is not None:
            result["max_rss_kib"] = max(result["max_rss_kib"], verdict.peak_rss_kib)
        sig = raw["signal"]
        if raw["timed_out"]:
            result["isolation"] += "-timeout"
            limit: Optional[str] = "wall_time"
        elif result["oom_killed"]:
            limit = "memory"
        elif raw["cpu_exceeded"] or sig == signal.SIGXCPU:
            limit = "cpu_time"
        elif verdict is not None and verdict.limit:
            limit = verdict.limit
        elif sig == signal.SIGXFSZ:
            limit = "file_size"
        elif truncated:
            limit = "output"
        else:
            limit = None
        reasons = [self._limit_reason(limit, result["oom_killed"])] if limit else []
        if sig is not None and limit is None:
            try:
                name = signal.Signals(sig).name
            except ValueError:
                name = str(sig)
            reasons.append(f"killed by signal {name} ({sig})")

        exit_ok = raw["exit_code"] == 0
        if raw["verdict"] and verdict is None:
            reasons.append("the verdict on the runner's private pipe was malformed or forged; not a success")
        if mode == "component":
            ran = exit_ok and verdict is not None and verdict.status == "ok"
            if exit_ok and not ran and verdict is None and not raw["verdict"]:
                reasons.append("the process exited with status 0 but the runner never reported run() returning")
        else:
            # no verdict is fine (os._exit(0) in a script); a malformed one is not
            ran = exit_ok and (not raw["verdict"] or (verdict is not None and verdict.status == "ok"))
        result["limit_exceeded"] = limit
        result["success"] = ran and limit is None
        if reasons:
            sep = "\n" if stderr and not stderr.endswith("\n") else ""
            result["error"] = stderr + sep + "\n".join(f"autopoietic: {r}" for r in reasons)
        return result


def _remove_cgroup(cgroup: _cgroup.SandboxCgroup, servers: weakref.WeakSet[ForkServer]) -> None:
    """A sandbox object's cgroup goes when it does, after its fork servers
    (whose prepared sandboxes are in run cgroups of it)."""
    for server in list(servers):
        server.stop()
    cgroup.remove()


def _environment(home: str, tmp: str) -> list[str]:
    """The whole environment of a sandboxed component."""
    return [
        f"HOME={home}",
        f"TMPDIR={tmp}",
        "PATH=/usr/local/bin:/usr/bin:/bin",
        "LANG=C.UTF-8",
        "LC_ALL=C.UTF-8",
        # one malloc arena: each extra arena reserves 64 MiB of RLIMIT_AS
        "MALLOC_ARENA_MAX=1",
    ]


def _failed_result(message: str, elapsed: float, namespaces: tuple[str, ...], validated: bool,
                   controllers: list[str]) -> ExecutionResult:
    """The dict of a run the sandbox itself could not carry out."""
    return {
        "success": False, "output": "", "error": f"autopoietic: {message}", "execution_time": elapsed,
        "isolation": "error", "security_validated": validated, "exit_code": None, "signal": None,
        "timed_out": False, "limit_exceeded": None, "cpu_time_s": 0.0, "max_rss_kib": 0,
        "output_truncated": False, "namespaces": list(namespaces), "oom_killed": False,
        "cgroup_controllers": list(controllers),
    }


def create_secure_sandbox(**kwargs: object) -> AutopoieticSandbox:
    """create_secure_sandbox(**kwargs) -> AutopoieticSandbox

    A sandbox with the historical secure defaults: 100 MB of memory, 30 s of
    CPU time, files up to 500 KB.  Keyword arguments override any option of
    ``AutopoieticSandbox``.
    """
    options: dict[str, Any] = {"max_memory_mb": 100, "max_cpu_time_seconds": 30, "max_file_size_kb": 500}
    options.update(kwargs)
    return AutopoieticSandbox(**options)
