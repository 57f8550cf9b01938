"""Types of the C extension autopoietic._sandbox (src/_sandbox/module.c)."""

from collections.abc import Callable, Sequence
from typing import Optional, Protocol, TypedDict, Union

from typing_extensions import Unpack

class HasFileno(Protocol):
    def fileno(self) -> int: ...

_Str = Union[str, bytes]
#: (kind, src, dst, mount flags, data); kinds: mkdir touch symlink bind tmpfs proc pivot remount
_MountOp = tuple[str, Optional[str], str, int, Optional[str]]
#: (resource.RLIMIT_*, soft, hard); -1 = unlimited
_Rlimit = tuple[int, int, int]
#: stdin, stdout, stderr, nonce, verdict, source: the sandbox's fds 0-5
_GoFds = tuple[int, int, int, int, int, int]

STAGES: tuple[str, ...]
NAMESPACES: tuple[str, ...]
#: the keys of RunResult, in the order run() and result() build them
RESULT_KEYS: tuple[str, ...]
#: struct notation of the outcome Prepared.wait() sends, and its fields' names
REPLY_FORMAT: str
REPLY_FIELDS: tuple[str, ...]
#: the struct notation of the kind every answer starts with
REPLY_KIND_FORMAT: str
#: the first int of a server's answer: an outcome (REPLY_FORMAT), or an error then its text
REPLY_RESULT: int
REPLY_ERROR: int
#: the most bytes a nonce may have
NONCE_MAX: int
#: most seconds of timeout_s and cpu_time_s; most bytes of output_limit
MAX_TIMEOUT_S: int
MAX_OUTPUT_BYTES: int

class _Streams(TypedDict):
    """What was read of stdout, stderr and the verdict pipe, capped."""

    stdout: bytes
    stderr: bytes
    verdict: bytes
    stdout_truncated: bool
    stderr_truncated: bool
    verdict_truncated: bool
    cancelled: bool

class RunResult(_Streams):
    exit_code: Optional[int]
    signal: Optional[int]
    setup_error: Optional[tuple[str, int, int]]
    timed_out: bool
    cpu_exceeded: bool
    wall_s: float
    cpu_s: float
    max_rss_kib: int
    cgroup_memory_peak: int  # bytes, -1: no cgroup counter
    cgroup_oom_kills: int  # -1: no cgroup counter

#: (hierarchy index, file, key or None)
_CgroupCounter = tuple[int, str, Optional[str]]
#: (parents, writes (hierarchy, file, value), cpu, cpu_unit_s, memory_peak, oom_kills, join)
CgroupPlan = tuple[tuple[str, ...], tuple[tuple[int, str, str], ...], _CgroupCounter, float, _CgroupCounter,
                   _CgroupCounter, int]
#: how init joins the run's cgroup (sandbox.h)
CGROUP_JOIN_PROCS: int
CGROUP_JOIN_TASKS: int
CGROUP_JOIN_CLONE_INTO: int

class CollectResult(_Streams):
    replied: bool

#: (handled_fs, handled_net, scoped, ((path, allowed access), ...)): landlock.c
LandlockPlan = tuple[int, int, int, tuple[tuple[_Str, int], ...]]

class _Options(TypedDict, total=False):
    """The keyword arguments run() and prepare() share."""

    namespaces: Sequence[str]
    rlimits: Sequence[_Rlimit]
    cpu_time_s: float
    output_limit: int
    hostname: Optional[str]
    uid_map: Optional[str]
    gid_map: Optional[str]
    deny_setgroups: bool
    uid: Optional[int]
    gid: Optional[int]
    clear_groups: bool
    mounts: Sequence[_MountOp]
    seccomp: bool
    cgroup: Optional[CgroupPlan]
    deny_sigchld_ignore: bool
    deny_socket: bool
    deny_file_metadata: bool
    landlock: Optional[LandlockPlan]

def run(
    argv: Sequence[_Str],
    env: Sequence[_Str],
    cwd: _Str,
    *,
    timeout_s: float,
    nonce: bytes = ...,
    source_fd: int = ...,
    cancel_fd: int = ...,
    stdin_fd: int = ...,
    verdict_limit: int = ...,
    on_output: Optional[Callable[[int, bytes], object]] = ...,
    **options: Unpack[_Options],
) -> RunResult: ...

class Prepared:
    """A sandbox made by prepare(), waiting for go() or cancel()."""

    @property
    def in_sandbox(self) -> bool: ...
    def go(self, fds: _GoFds, /) -> None: ...
    def wait(self, sock: int | HasFileno, /) -> None: ...
    def cancel(self) -> None: ...
    def enter(self) -> None: ...

def prepare(
    argv: Sequence[_Str], env: Sequence[_Str], cwd: _Str, *, timeout_s: float, **options: Unpack[_Options]
) -> Prepared: ...
def serve(
    sock: int,
    config: bytes,
    fds: _GoFds,
    shared_network: bool,
    argv: Sequence[_Str],
    env: Sequence[_Str],
    cwd: _Str,
    /,
    *,
    timeout_s: float,
    **options: Unpack[_Options],
) -> None | tuple[bytes, _GoFds] | Prepared: ...
def collect(
    sock: int,
    stdout_fd: int,
    stderr_fd: int,
    verdict_fd: int,
    *,
    output_limit: int = ...,
    wait_s: float,
    cancel_fd: int = ...,
    verdict_limit: int = ...,
    on_output: Optional[Callable[[int, bytes], object]] = ...,
) -> CollectResult: ...
def result(streams: CollectResult, reply: Optional[bytes] = ..., *, wall_s: float = ...) -> RunResult: ...
def die_with_parent(ppid: int, /) -> None: ...
def landlock_abi() -> int: ...
def validate(
    source: _Str,
    *,
    denied_modules: Sequence[str],
    allowed_modules: Sequence[str],
    denied_names: Sequence[str],
    denied_attributes: Sequence[str],
    string_sinks: Sequence[str] = ...,
    reexports: Sequence[str] = ...,
    submodules: Sequence[str] = ...,
    denied_module_members: Sequence[str] = ...,
    denied_members: Sequence[str] = ...,
    called_only: Sequence[str] = ...,
    allow_unknown_modules: bool = ...,
    require_markers: bool = ...,
    signature_prefix: Optional[str] = ...,
    marker_name: Optional[str] = ...,
    max_source_bytes: int = ...,
) -> list[tuple[str, int, int, str]]: ...
