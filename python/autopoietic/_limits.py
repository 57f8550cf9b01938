"""The limits of a sandbox object: checked once, then turned into the
rlimits of each run and into the words of a result's error.

Units: memory and disk in MiB, CPU and wall time in seconds, file size in
KiB, output and code in bytes.  docs/limits.md says which mechanism
enforces each limit and why each rlimit has its value.
"""

from __future__ import annotations

import math
import resource
from dataclasses import dataclass

from . import _sandbox

__all__ = [
    "DEFAULT_MAX_CODE_BYTES",
    "DEFAULT_MAX_DISK_MB",
    "DEFAULT_MAX_OPEN_FILES",
    "DEFAULT_MAX_OUTPUT_BYTES",
    "DEFAULT_MAX_PROCESSES",
    "MIN_MEMORY_MB",
    "SCRATCH_INODES",
    "SIGPENDING_LIMIT",
    "Limits",
    "default_timeout_s",
]

#: Default bound on component source (bytes of UTF-8).
DEFAULT_MAX_CODE_BYTES = 1 << 20
#: Default cap on captured stdout and on stderr, each (bytes).
DEFAULT_MAX_OUTPUT_BYTES = 1 << 20
#: RLIMIT_NOFILE inside the sandbox.
DEFAULT_MAX_OPEN_FILES = 1024
#: Default RLIMIT_NPROC (processes and threads) inside the sandbox.
DEFAULT_MAX_PROCESSES = 64
#: Default size of each of the sandbox's /tmp and /work (tmpfs), MiB.
DEFAULT_MAX_DISK_MB = 64
#: Inodes (files and directories) of each of /tmp and /work.
SCRATCH_INODES = 4096
#: RLIMIT_SIGPENDING inside the sandbox: real-time and sigqueue'd signals
#: queued at once by all of its processes (see Limits.rlimits).
SIGPENDING_LIMIT = 64
#: The interpreter alone needs this much address space (RLIMIT_AS), MiB.
MIN_MEMORY_MB = 32


def default_timeout_s(cpu_time_s: float) -> float:
    """The wall-clock timeout when none is given: twice the CPU limit plus
    one second, so a CPU-bound loop ends at its CPU limit (reported as
    ``cpu_time``) with room for the second RLIMIT_CPU gives and a loaded
    host, and a program that sleeps or blocks ends at the wall clock."""
    return min(2 * cpu_time_s + 1, _sandbox.MAX_TIMEOUT_S)

#: Upper bounds of the limits (far above any real use; the times and the
#: output are the C layer's own bounds).
_BOUNDS = {"max_memory_mb": 1 << 30, "max_cpu_time_seconds": _sandbox.MAX_TIMEOUT_S, "max_file_size_kb": 1 << 40,
           "timeout_s": _sandbox.MAX_TIMEOUT_S, "max_disk_mb": 1 << 30}
#: Upper bounds of the integer limits.
_COUNT_BOUNDS = {"max_output_bytes": None, "max_code_bytes": None, "max_open_files": 1 << 20,
                 "max_processes": 1 << 20}
#: Most bytes captured per stream.
_MAX_OUTPUT_BYTES = _sandbox.MAX_OUTPUT_BYTES


def _check_number(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number, not {type(value).__name__}")
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    if value > _BOUNDS[name]:
        raise ValueError(f"{name} must be at most {_BOUNDS[name]:g}, got {value!r}")
    if name == "max_memory_mb" and value < MIN_MEMORY_MB:
        raise ValueError(f"max_memory_mb must be at least {MIN_MEMORY_MB}: the interpreter itself needs it")
    return value


def _check_count(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if value <= 0:
        raise ValueError(f"{name} must be > 0, got {value}")
    bound = _COUNT_BOUNDS[name]
    if bound is not None and value > bound:
        raise ValueError(f"{name} must be at most {bound}, got {value}")
    return value


@dataclass(frozen=True)
class Limits:
    """The checked limits of one sandbox object (see AutopoieticSandbox
    for each one's meaning).  Build it with ``Limits.checked``."""

    max_memory_mb: float
    max_cpu_time_seconds: float
    max_file_size_kb: float
    timeout_s: float
    max_disk_mb: float
    max_output_bytes: int
    max_code_bytes: int
    max_open_files: int
    max_processes: int
    #: timeout_s was given (False: it follows max_cpu_time_seconds, see
    #: default_timeout_s)
    timeout_given: bool = True

    @classmethod
    def checked(cls, *, max_memory_mb: object, max_cpu_time_seconds: object, max_file_size_kb: object,
                timeout_s: object, max_disk_mb: object, max_output_bytes: object, max_code_bytes: object,
                max_open_files: object, max_processes: object) -> Limits:
        """The Limits of these values; ``timeout_s`` None means
        ``default_timeout_s(max_cpu_time_seconds)``.  Raises TypeError for a value of the
        wrong type, ValueError for one that is not > 0, not finite, over
        its bound, or memory under MIN_MEMORY_MB."""
        memory = _check_number("max_memory_mb", max_memory_mb)
        cpu = _check_number("max_cpu_time_seconds", max_cpu_time_seconds)
        limits = cls(
            max_memory_mb=memory,
            max_cpu_time_seconds=cpu,
            max_file_size_kb=_check_number("max_file_size_kb", max_file_size_kb),
            timeout_s=_check_number("timeout_s", default_timeout_s(cpu) if timeout_s is None else timeout_s),
            max_disk_mb=_check_number("max_disk_mb", max_disk_mb),
            max_output_bytes=_check_count("max_output_bytes", max_output_bytes),
            max_code_bytes=_check_count("max_code_bytes", max_code_bytes),
            max_open_files=_check_count("max_open_files", max_open_files),
            max_processes=_check_count("max_processes", max_processes),
            timeout_given=timeout_s is not None,
        )
        if limits.max_output_bytes > _MAX_OUTPUT_BYTES:
            raise ValueError(f"max_output_bytes must be at most {_MAX_OUTPUT_BYTES >> 30} GiB")
        return limits

    def changed(self, name: str, value: object) -> Limits:
        """These limits with ``name`` set to value, checked as by
        ``checked`` (the same errors); ``timeout_s`` None follows the CPU
        limit again."""
        return self._replaced({name: value})

    def with_changes(self, changes: dict[str, object]) -> Limits:
        """These limits with each name in changes set to its value (None:
        unchanged): a run's own limits.  Checked as by ``checked`` (the
        same errors).  A timeout that followed the CPU limit follows the
        new one unless timeout_s is given too."""
        given = {name: value for name, value in changes.items() if value is not None}
        return self._replaced(given) if given else self

    def _replaced(self, changes: dict[str, object]) -> Limits:
        values: dict[str, object] = dict(self.__dict__)
        if not values.pop("timeout_given"):
            values["timeout_s"] = None
        for name in changes:
            if name not in values:
                raise TypeError(f"{name!r} is not a limit")
        values.update(changes)
        return Limits.checked(**values)

    @property
    def memory_bytes(self) -> int:
        return int(self.max_memory_mb * 1024 * 1024)

    @property
    def scratch_bytes(self) -> int:
        """Size of each of /tmp and /work (tmpfs), bytes."""
        return int(self.max_disk_mb * 1024 * 1024)

    def rlimits(self, count_processes: bool, init_shares_uid: bool) -> list[tuple[int, int, int]]:
        """(resource, soft, hard) of each rlimit of a run, under this
        process's own hard limits; count_processes: the component's uid
        is the sandbox's own (in namespaces, or a private host uid), so
        RLIMIT_NPROC counts its processes only; init_shares_uid: the
        sandbox's init has the component's uid (no uid switch)."""
        memory = self.memory_bytes
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
        if count_processes:
            # Counted per user namespace and uid: only the sandbox's own
            # processes.  Under the caller's own uid on the host it would
            # count all of the caller's processes, so those runs go without.  When
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

    def reason(self, limit: str, oom: bool = False) -> str:
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
