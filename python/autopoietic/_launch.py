"""The two launchers of a run, behind one ``launch(namespaces, job)``.

- ``SpawnLauncher``: the C extension clones a child that execs a fresh
  interpreter running ``_runner.py`` (``_sandbox.run``); each attempt gets
  a work directory of its own, removed when the run ends.
- ``WarmLauncher``: a fork server per calling thread (``_forkserver.py``)
  clones each sandbox from an interpreter that has already started; its
  work directory and mount plan are made once per rung and reused.  It
  declines (``None``) when no fork server can run here, and the caller
  spawns instead.

Both return a ``Launched``: the C layer's raw outcome and the options the
run used, which ``_outcome.interpret`` and the namespace ladder read.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import functools
import marshal
import os
import secrets
import stat
import threading
import sys
import time
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, NamedTuple, Sequence, TypeVar

from . import _landlock, _rootfs, _sandbox
from ._cgroup import SandboxCgroup, SessionCgroup
from ._common import HOSTNAME, MARKER_ATTRIBUTE, SIGNATURE_ATTRIBUTE, SandboxError, logger
from ._forkserver import ForkServer, ForkServerDied, ForkServerError
from ._ids import free_private_id, id_options
from ._ladder import Rung
from ._limits import SCRATCH_INODES, Limits
from ._workdirs import WorkRoot, empty_directory, remove_tree

if TYPE_CHECKING:
    from ._sandbox import RunResult

__all__ = ["Cancel", "Job", "Launched", "RootPlan", "SpawnLauncher", "WarmLauncher", "run_extras", "runner_header",
           "output_callback", "sealed_source", "sealed_stdin"]

#: The program every sandbox runs first (it runs the component, then reports).
RUNNER_SOURCE = (Path(__file__).with_name("_runner.py")).read_text(encoding="utf-8")
#: Mount plans a fork server keeps per namespace set (one per scratch size).
_PLANS_KEPT = 4
#: The attributes the runner checks a component's class for.
_MARKERS = ",".join((SIGNATURE_ATTRIBUTE, MARKER_ATTRIBUTE))


#: What a sandbox with third-party packages (or a fork server that
#: preloads them) adds to the environment: BLAS and OpenMP thread pools of
#: one thread.  A fork server must stay single-threaded, and OpenBLAS
#: starts one thread per CPU at import, each of which reserves some 40 MiB
#: of RLIMIT_AS (numpy 2.4's bundled OpenBLAS, measured: docs/api.md).
SINGLE_THREADED_POOLS = ("OPENBLAS_NUM_THREADS=1", "OMP_NUM_THREADS=1", "MKL_NUM_THREADS=1")


def environment(home: str, tmp: str, extra: Sequence[str] = ()) -> list[str]:
    """The whole environment of a sandboxed component (extra: more
    ``NAME=value`` items, ``SINGLE_THREADED_POOLS``)."""
    return [
        f"HOME={home}",
        f"TMPDIR={tmp}",
        "PATH=/usr/local/bin:/usr/bin:/bin",
        "LANG=C.UTF-8",
        "LC_ALL=C.UTF-8",
        # one malloc arena: each extra arena reserves 64 MiB of RLIMIT_AS
        "MALLOC_ARENA_MAX=1",
        *extra,
    ]


def runner_header(mode: str, name: str, source_length: int, extras_length: int,
                  filename: str | None = None) -> tuple[str, bytes]:
    """(nonce, header): what the runner reads from fd 3 (_runner.py): the
    arguments' length in 8 digits, the arguments, then the nonce (which
    stays in the pipe until the component's code is done); source_length
    and extras_length say where fd 5's parts end; filename: the code's
    (default ``name.py``)."""
    nonce = secrets.token_hex(16)
    arguments = "\x1f".join((mode, filename or f"{name}.py", name, _MARKERS, str(source_length),
                             str(extras_length))).encode("utf-8")
    return nonce, b"%08d" % len(arguments) + arguments + nonce.encode("ascii")


def sealed_memfd(name: str, *parts: bytes) -> int:
    """A sealed memfd holding the parts one after the other, at offset 0.
    Raises OSError (its fd closed)."""
    fd = os.memfd_create(f"autopoietic-{name}", os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
    try:
        for part in parts:
            view = memoryview(part)
            while view:
                view = view[os.write(fd, view):]
        fcntl.fcntl(fd, fcntl.F_ADD_SEALS,
                    fcntl.F_SEAL_SEAL | fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_GROW | fcntl.F_SEAL_WRITE)
        os.lseek(fd, 0, os.SEEK_SET)
    except BaseException:
        os.close(fd)
        raise
    return fd


def run_extras(extras: dict[str, Any], files: list[tuple[str, bytes]]) -> tuple[bytes, list[bytes]]:
    """(marshal of extras, the files' bytes in order): what follows the
    source in its memfd (_runner.py); extras["files"] lists (path, size)."""
    if files:
        extras = {**extras, "files": [(path, len(data)) for path, data in files]}
    return (marshal.dumps(extras) if extras else b""), [data for _, data in files]


@contextlib.contextmanager
def sealed_source(data: bytes, name: str, *after: bytes) -> Iterator[int]:
    """A sealed memfd holding data and then the parts after it (the run's
    extras and files: run_extras), at offset 0: the child runs exactly the
    bytes that were validated, and no file of the host is needed."""
    fd = sealed_memfd(name, data, *after)
    try:
        yield fd
    finally:
        os.close(fd)


@contextlib.contextmanager
def sealed_stdin(data: bytes | None) -> Iterator[int]:
    """The run's stdin: a sealed memfd holding data (so a large stdin and
    a large stdout cannot block each other: nothing is fed through a pipe),
    or -1 for /dev/null."""
    if data is None:
        yield -1
        return
    fd = sealed_memfd("stdin", data)
    try:
        yield fd
    finally:
        os.close(fd)


def _check_callback(name: str, callback: object) -> None:
    if callback is not None and not callable(callback):
        raise TypeError(f"{name} must be callable or None, not {type(callback).__name__}")


def output_callback(on_stdout: object, on_stderr: object) -> Callable[[int, bytes], None] | None:
    """One on_output(stream, chunk) for the C layer from on_stdout and
    on_stderr (None: no streaming).  Raises TypeError for one that is not
    callable."""
    _check_callback("on_stdout", on_stdout)
    _check_callback("on_stderr", on_stderr)
    if on_stdout is None and on_stderr is None:
        return None
    callbacks: tuple[Any, Any] = (on_stdout, on_stderr)

    def on_output(stream: int, chunk: bytes) -> None:
        callback = callbacks[stream]
        if callback is not None:
            callback(chunk)

    return on_output


class Cancel:
    """A cancel fd of one call (``_sandbox.run(cancel_fd=)``): ``cancel()``
    closes its write end, and the run is killed and reaped.  Idempotent."""

    def __init__(self) -> None:
        self.fd, self._write = os.pipe2(os.O_CLOEXEC)
        self._lock = threading.Lock()
        self._open = 2

    def cancel(self) -> None:
        with self._lock:
            if self._open == 2:
                os.close(self._write)
                self._open = 1

    def close(self) -> None:
        self.cancel()
        with self._lock:
            if self._open == 1:
                os.close(self.fd)
                self._open = 0


@dataclass(frozen=True)
class Job:
    """One run, as both launchers need it."""

    source_fd: int
    header: bytes
    cancel_fd: int
    limits: Limits
    cgroup: SandboxCgroup | SessionCgroup | None
    stdin_fd: int  # -1: /dev/null
    verdict_limit: int  # bytes of the verdict pipe kept (fetched files ride on it: _files.verdict_limit)
    #: called as on_start(namespaces, Landlock summary) just before the
    #: sandbox starts (a session's cells name its rung)
    on_start: Callable[[tuple[str, ...], dict[str, Any] | None], None] | None = None
    #: called as on_output(stream, bytes) with each chunk of stdout (0) and
    #: stderr (1) as it is read, up to max_output_bytes each
    on_output: Callable[[int, bytes], None] | None = None

    def started(self, rung: Rung | None, summary: dict[str, Any] | None) -> None:
        if self.on_start is not None:
            self.on_start(rung.namespaces if rung is not None else (), summary)

    @property
    def controllers(self) -> list[str]:
        return list(self.cgroup.controllers) if self.cgroup else []


class Launched(NamedTuple):
    """What a launcher did: the raw outcome (None when the launcher itself
    failed: failure says why), the options the run used, and on the
    Landlock rung what its ruleset was (``_landlock.LandlockPlan.summary``)."""

    raw: RunResult | None
    options: dict[str, Any]
    failure: str = ""
    elapsed: float = 0.0
    landlock: dict[str, Any] | None = None


def landlock_paths(workdir: str) -> tuple[str, str]:
    """(work, tmp) of a run on the Landlock rung: in workdir, the directory
    its ruleset lets it write."""
    return os.path.join(workdir, "work"), os.path.join(workdir, "tmp")


def _reach_for_others(path: str, directory: bool) -> bool:
    """Can a uid that is neither owner nor group of anything on the way
    reach path (search every ancestor; read and search a directory, read a
    file)?"""
    need = (stat.S_IROTH | stat.S_IXOTH) if directory else stat.S_IROTH
    try:
        if os.stat(path).st_mode & need != need:
            return False
        parent = os.path.dirname(path)
        while True:
            if not os.stat(parent).st_mode & stat.S_IXOTH:
                return False
            if parent == "/":
                return True
            parent = os.path.dirname(parent)
    except OSError:
        return False


class RootPlan:
    """How one sandbox object builds the options of a run in namespaces:
    the uid and gid (``_ids``) and the mount plan of the new root
    (``_rootfs``) under a work directory of ``work``.

    ``python`` is the real executable that runs; ``interpreter`` the path
    the root file system is derived from (a venv's ``bin/python``: its
    site-packages count; default ``python``); ``site_packages`` binds its
    site-packages directories; ``preload`` names the modules a fork
    server imports at its start."""

    def __init__(self, python: str, work: WorkRoot, *, interpreter: str | None = None,
                 site_packages: bool = False, preload: tuple[str, ...] = ()) -> None:
        self.python = python
        self.work = work
        self.interpreter = interpreter or python
        self.site_packages = site_packages
        self.preload = preload

    def host_plan(self) -> _rootfs.HostPlan:
        """The root file system's plan (``_rootfs.host_plan``, cached);
        OSError for it, or when the executable to run is gone."""
        if not os.access(self.python, os.X_OK):
            raise OSError(errno.ENOENT, "the interpreter to run is gone", self.python)
        return _rootfs.host_plan(self.interpreter, self.site_packages)

    @property
    def sys_path(self) -> tuple[str, ...]:
        """What the sandbox appends to ``sys.path``: the bound site-packages
        directories.  Raises ``SandboxError`` when they cannot be found."""
        if not self.site_packages:
            return ()
        try:
            return self.host_plan().sys_path
        except OSError as exc:
            raise SandboxError(f"cannot prepare the sandbox's root file system: {exc}") from exc

    @property
    def extra_environment(self) -> tuple[str, ...]:
        """What a run's environment has beyond ``environment()``."""
        return SINGLE_THREADED_POOLS if self.site_packages or self.preload else ()

    def check_warm(self) -> None:
        """Raise ``ForkServerError`` when a fork server cannot run this
        interpreter: it loads this package's C extension, built for the
        caller's Python version only."""
        if self.python == os.path.realpath(sys.executable):
            return  # the caller's own binary
        try:
            version = _rootfs.interpreter(self.interpreter).version
        except OSError as exc:
            raise ForkServerError(str(exc)) from exc
        if tuple(version[:2]) != tuple(sys.version_info[:2]):
            raise ForkServerError(
                f"{self.interpreter} is Python {version[0]}.{version[1]}; the fork server loads this package's "
                f"C extension, built for Python {sys.version_info[0]}.{sys.version_info[1]}")

    @functools.cached_property
    def private_id(self) -> int | None:
        """This sandbox's own host uid and gid for root's components
        (chosen once: _ids.free_private_id); None for a normal user."""
        return free_private_id() if os.geteuid() == 0 else None

    @functools.cached_property
    def landlock_uid(self) -> int | None:
        """(Decided once.)  The host uid (and gid) of root's components on the Landlock rung:
        the private id where it can reach every directory of the plan and
        the work root (made searchable for it), else None: they stay uid
        0, every capability dropped.  None for a normal user."""
        private = self.private_id
        if private is None:
            return None
        plan = self.host_plan()
        if not all(_reach_for_others(path, True) for path, _ in plan.binds) or \
                not _reach_for_others(os.path.dirname(self.work.path), True) or \
                not _reach_for_others(self.python, False):
            return None
        os.chmod(self.work.path, 0o711)  # searchable, not listable: run dirs are 0700, the private uid's
        return private

    def landlock_dirs(self, workdir: str) -> None:
        """Make a run's fresh work and tmp (landlock_paths) in workdir on
        the Landlock rung, owned by the component's uid (landlock_uid;
        None: the caller's).  Raises OSError."""
        uid = self.landlock_uid
        for path in landlock_paths(workdir):
            os.mkdir(path, 0o700)
            if uid is not None:
                os.chown(path, uid, uid)
        if uid is not None:
            os.chown(workdir, uid, uid)

    def options(self, rung: Rung | None, workdir: str, limits: Limits) -> dict[str, Any]:
        """Keyword arguments of _sandbox.run for one rung (None: direct
        execution), with ``cwd``, ``home`` and ``tmp`` (popped by the
        launcher), and on the Landlock rung ``landlock_summary`` (popped
        too); limits sizes the scratch file systems.  On the Landlock rung
        workdir must hold the run's ``work`` and ``tmp`` (landlock_dirs)."""
        if rung is None:
            # direct execution: the private host directory is the work dir
            return {"cwd": workdir, "home": workdir, "tmp": workdir}
        if rung.landlock:
            work, tmp = landlock_paths(workdir)
            uid = self.landlock_uid
            # on the directory holding work and tmp: a warm server makes
            # them anew per run, after its sandbox's ruleset was made
            ruleset = _landlock.plan_for(self.host_plan(), _landlock.abi(), (workdir,))
            summary = dict(ruleset.summary, uid=os.geteuid() if uid is None else uid)
            options: dict[str, Any] = {"cwd": work, "home": work, "tmp": tmp, "landlock": ruleset.argument,
                                       "landlock_summary": summary}
            if uid is not None:
                options.update(uid=uid, gid=uid, clear_groups=True)
            return options
        namespaces = rung.namespaces
        options = {"cwd": _rootfs.SANDBOX_WORKDIR, "home": _rootfs.SANDBOX_WORKDIR,
                   "tmp": _rootfs.SANDBOX_TMPDIR, "hostname": HOSTNAME}
        ids, inner = id_options(namespaces, self.private_id)
        options.update(ids)
        new_root = os.path.join(workdir, "root")
        if not os.path.isdir(new_root):  # warm mode reuses one (a mount point only)
            os.mkdir(new_root, 0o700)
        options["mounts"] = _rootfs.mount_ops(
            self.host_plan(), new_root, scratch_bytes=limits.scratch_bytes,
            scratch_inodes=SCRATCH_INODES, uid=inner, gid=inner)
        return options


def _finish(options: dict[str, Any], rung: Rung | None, job: Job,
            extra_env: Sequence[str] = ()) -> tuple[list[str], str, dict[str, Any] | None]:
    """Add the run's limits to options; (environment, cwd, Landlock
    summary) of the run."""
    env = environment(options.pop("home"), options.pop("tmp"), extra_env)
    cwd = options.pop("cwd")
    summary = options.pop("landlock_summary", None)
    namespaces = rung.namespaces if rung is not None else ()
    controllers = job.controllers
    switched = "uid" in options
    options.update(namespaces=namespaces,
                   rlimits=job.limits.rlimits(bool(namespaces) or switched, not switched),
                   timeout_s=job.limits.timeout_s, cpu_time_s=job.limits.max_cpu_time_seconds,
                   output_limit=job.limits.max_output_bytes,
                   cgroup=job.cgroup.plan_for(job.limits.memory_bytes, job.limits.max_processes + 1)
                   if job.cgroup else None,
                   deny_sigchld_ignore="cpu" not in controllers,
                   # the host's paths or abstract socket names in reach: no socket()
                   deny_socket=not {"mnt", "net"} <= set(namespaces),
                   # the host's files in reach through a ruleset that has no
                   # right for their metadata
                   deny_file_metadata="landlock" in options)
    return env, cwd, summary


_T = TypeVar("_T")


def _prepared(build: Callable[..., _T], *args: Any) -> _T:
    """build(*args), with an OSError as the SandboxError it means."""
    try:
        return build(*args)
    except OSError as exc:
        raise SandboxError(f"cannot prepare the sandbox's root file system: {exc}") from exc


class SpawnLauncher:
    """A fresh interpreter per run (``_sandbox.run``)."""

    def __init__(self, plan: RootPlan) -> None:
        self.plan = plan

    def launch(self, rung: Rung | None, job: Job) -> Launched:
        workdir = self.plan.work.new()
        try:
            if rung is not None and rung.landlock:
                _prepared(self.plan.landlock_dirs, workdir)
            options = _prepared(self.plan.options, rung, workdir, job.limits)
            env, cwd, summary = _finish(options, rung, job, self.plan.extra_environment)
            argv = [self.plan.python, "-I", "-S", "-B", "-X", "utf8", "-c", RUNNER_SOURCE]
            job.started(rung, summary)
            raw = _sandbox.run(argv, env, cwd, nonce=job.header, source_fd=job.source_fd, cancel_fd=job.cancel_fd,
                               stdin_fd=job.stdin_fd, verdict_limit=job.verdict_limit, on_output=job.on_output,
                               **options)
            return Launched(raw, options, landlock=summary)
        finally:
            remove_tree(workdir)


class WarmLauncher:
    """A fork server per calling thread, each serving one run at a time,
    all of them stopped by ``stop()``."""

    def __init__(self, plan: RootPlan) -> None:
        self.plan = plan
        self._servers = threading.local()
        self.servers: weakref.WeakSet[ForkServer] = weakref.WeakSet()
        self._lock = threading.Lock()
        self._failure: str | None = None

    def stop(self) -> None:
        """Stop every fork server of this launcher."""
        with self._lock:
            servers = list(self.servers)
            self.servers.clear()
        for server in servers:
            server.stop()

    def _server(self, rung: Rung) -> ForkServer | None:
        """This thread's fork server for rung (started or restarted as
        needed), or None when warm mode is unavailable here (logged once).
        The namespace rungs share one; the Landlock rung has its own, whose
        environment names its host work directory (a warm sandbox keeps
        the server's ``os.environ``)."""
        if self._failure is not None:
            return None
        servers: dict[bool, ForkServer] | None = getattr(self._servers, "by_rung", None)
        if servers is None:
            servers = self._servers.by_rung = {}
        server = servers.get(rung.landlock)
        if server is not None:
            if server.alive():
                return server
            server.stop()  # died, or inherited through os.fork(): not ours
        workdir = self.plan.work.new() if rung.landlock else ""
        home, tmp = (landlock_paths(workdir) if rung.landlock
                     else (_rootfs.SANDBOX_WORKDIR, _rootfs.SANDBOX_TMPDIR))
        try:
            self.plan.check_warm()
            server = ForkServer(self.plan.python, RUNNER_SOURCE, environment(home, tmp, self.plan.extra_environment),
                                sys_path=self.plan.sys_path, preload=self.plan.preload)
        except ForkServerError as exc:
            if workdir:
                remove_tree(workdir)
            if exc.transient:
                logger.warning("no fork server for this run, running it in spawn mode: %s", exc)
            else:
                self._failure = str(exc)
                logger.warning("warm mode is unavailable, running in spawn mode: %s", exc)
            return None
        if workdir:
            server.directories.append(workdir)
            server.cache[rung] = (workdir, {})
        servers[rung.landlock] = server
        with self._lock:
            self.servers.add(server)
        return server

    def thread_server(self, landlock: bool = False) -> ForkServer | None:
        """This thread's fork server of the namespace rungs (landlock: of
        the Landlock rung), None before its first run."""
        servers: dict[bool, ForkServer] = getattr(self._servers, "by_rung", {})
        return servers.get(landlock)

    def forget(self, rung: Rung) -> None:
        """The host refused rung: remove this thread's cached work
        directory of it (a fork server serves the next rung)."""
        servers: dict[bool, ForkServer] = getattr(self._servers, "by_rung", {})
        for server in servers.values():
            cached = server.cache.pop(rung, None)
            if cached is not None and cached[0] in server.directories:
                server.directories.remove(cached[0])
                remove_tree(cached[0])

    def _options(self, server: ForkServer, rung: Rung, limits: Limits) -> dict[str, Any]:
        """RootPlan.options for a run on server: its work directory (only
        the mount point of the new root, which lives in the sandbox's own
        mount namespace; on the Landlock rung the parent of the run's
        fresh work and tmp directories) and mount plan or ruleset are made
        once and reused."""
        cached = server.cache.get(rung)
        if rung.landlock and cached is not None and not os.path.isdir(cached[0]):
            os.mkdir(cached[0], 0o700)  # removed under us: its name is in the server's environment
        elif cached is None or not os.path.isdir(cached[0]):
            workdir = self.plan.work.new()
            server.directories.append(workdir)
            plans: dict[int, dict[str, Any]] = {}
            cached = (workdir, plans)
            server.cache[rung] = cached
        # one plan per size of the scratch file systems (a per-call
        # max_disk_mb), the last few kept; all share the mount point
        workdir, plans = cached
        if rung.landlock:
            self.plan.landlock_dirs(workdir)  # launch() empties workdir after each run
        options = plans.pop(limits.scratch_bytes, None)
        if options is None:
            options = self.plan.options(rung, workdir, limits)
            while len(plans) >= _PLANS_KEPT:
                del plans[next(iter(plans))]
        plans[limits.scratch_bytes] = options
        return dict(options)

    def launch(self, rung: Rung, job: Job) -> Launched | None:
        """The run on this thread's fork server; None when there is none."""
        server = self._server(rung)
        if server is None:
            return None
        options = _prepared(self._options, server, rung, job.limits)
        try:
            env, cwd, summary = _finish(options, rung, job, self.plan.extra_environment)
            job.started(rung, summary)
            started = time.monotonic()
            try:
                raw = server.run(([self.plan.python], env, cwd), options, job.source_fd, job.header,
                                 job.limits.max_output_bytes, job.limits.timeout_s, job.cancel_fd, job.stdin_fd,
                                 job.verdict_limit, job.on_output)
            except ForkServerDied as exc:
                return Launched(None, options, str(exc), time.monotonic() - started, summary)
            return Launched(raw, options, landlock=summary)
        finally:
            if rung.landlock:
                # the run's work and tmp go with it (the next are made fresh)
                empty_directory(server.cache[rung][0])
