"""Run untrusted, machine-generated Python components in isolation.

The public API (docs/api.md) over the C extension ``autopoietic._sandbox``:

>>> from autopoietic.sandbox import AutopoieticSandbox
>>> with AutopoieticSandbox() as sandbox:                      # doctest: +SKIP
...     result = sandbox.execute_component(code, "my_component")

Each run gets a fresh child cloned by the extension into new pid, ipc, uts,
net, mount and cgroup namespaces (plus a user namespace when the caller is not
root, so no sudo is needed), with rlimits, a seccomp filter, a wall-clock
timeout that kills the whole process tree and a CPU-time limit checked from
the parent.  In warm mode (the default) the child is cloned from a fork
server per calling thread that has the interpreter already started; in spawn
mode it execs a fresh interpreter (docs/design.md, "Execution modes").  The
result is a plain dict with every key of ``ExecutionResult`` (docs/api.md,
"The result dict").

Where namespaces cannot be created at all, runs fall back to ``landlock``
(a Landlock ruleset from the same plan as the minimal root, docs/deployment.md)
or, without Landlock, to ``direct-execution`` (rlimits, own session, closed
fds, clean environment), with a logged WARNING, unless isolation is required
(``require_isolation=True`` or ``AUTOPOIETIC_REQUIRE_ISOLATION=1``; ``"landlock"``
accepts that rung), which raises ``SandboxError`` instead.

This module is the API only.  The run machinery, one concern per module:
``_ladder`` (which namespaces this host allows), ``_ids`` (uid and gid),
``_workdirs``, ``_limits``, ``_cgroup``, ``_launch`` (spawn and warm
launchers), ``_outcome`` (raw outcome to result dict).
"""

from __future__ import annotations

import keyword
import os
import sys
import threading
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Callable, Optional, Sequence

from . import _cgroup, _files, _launch, _rootfs, _session
from ._common import CellResult, ExecutionResult, SandboxError
from ._ladder import LADDER, check_requirement, namespaces_refused
from ._limits import (DEFAULT_MAX_CODE_BYTES, DEFAULT_MAX_DISK_MB, DEFAULT_MAX_OPEN_FILES,
                      DEFAULT_MAX_OUTPUT_BYTES, DEFAULT_MAX_PROCESSES, Limits)
# the constants this module defined before it was split stay importable from it
from ._common import SANDBOX_UID, logger  # noqa: F401
from ._ids import PRIVATE_ID_RANGE  # noqa: F401
from ._limits import MIN_MEMORY_MB, SCRATCH_INODES, SIGPENDING_LIMIT  # noqa: F401
from ._launch import Cancel, output_callback
from ._outcome import failed_result, interpret
from ._session import Session
from ._workdirs import WorkRoot
from .validator import DEFAULT_POLICY, Finding, ValidatorPolicy, validate

__all__ = [
    "AutopoieticSandbox",
    "CellResult",
    "ExecutionResult",
    "Finding",
    "SandboxError",
    "Session",
    "create_secure_sandbox",
]

#: Longest accepted component name (it becomes a file name).
MAX_NAME_LENGTH = 128
_MODES = ("warm", "spawn")
#: The limits a call of run_source/run_component may set for itself.
CALL_LIMITS = ("timeout_s", "max_cpu_time_seconds", "max_memory_mb", "max_file_size_kb", "max_disk_mb",
               "max_output_bytes", "max_open_files", "max_processes")


#: A callback of streamed output: called with each chunk (bytes) as it is read.
OutputCallback = Optional[Callable[[bytes], object]]


@dataclass(frozen=True)
class _Call:
    """One call's checked options (AutopoieticSandbox.run_source)."""

    limits: Limits
    stdin: bytes | None
    files: list[tuple[str, bytes]]
    fetch: list[str]
    on_output: Callable[[int, bytes], None] | None = None


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


def _check_python(python: object) -> tuple[str, str]:
    """(path to probe, real executable) of the ``python`` option; the
    caller's interpreter (a venv's ``bin/python`` as such) for None.
    Raises ``TypeError`` and ``SandboxError`` (see AutopoieticSandbox)."""
    if python is None:
        real = os.path.realpath(sys.executable) if sys.executable else ""
        if not real or not os.access(real, os.X_OK):
            raise SandboxError("no Python interpreter to run components with (sys.executable is empty)")
        return sys.executable, real
    if not isinstance(python, (str, os.PathLike)):
        raise TypeError(f"python must be a path (str or os.PathLike), not {type(python).__name__}")
    path = os.fspath(python)
    if not isinstance(path, str):
        raise TypeError(f"python must be a str path, not {type(path).__name__}")
    path = os.path.abspath(path)
    if not os.path.isfile(path) or not os.access(path, os.X_OK):
        raise SandboxError(f"python={path!r} is not an executable file")
    try:
        facts = _rootfs.interpreter(path)
    except OSError as exc:
        raise SandboxError(f"python={path!r} cannot run components: {exc}") from exc
    return path, facts.executable


def _check_preload(preload: object) -> tuple[str, ...]:
    """The ``preload`` option as a tuple of dotted module names.  Raises
    ``TypeError`` (not a list or tuple of str) and ``ValueError`` (a name
    that is not dotted identifiers)."""
    if not isinstance(preload, (tuple, list)):
        raise TypeError(f"preload must be a tuple or list of module names, not {type(preload).__name__}")
    for name in preload:
        if not isinstance(name, str):
            raise TypeError(f"preload must hold module names (str), not {type(name).__name__}")
        if not name or not all(part.isidentifier() and not keyword.iskeyword(part) for part in name.split(".")):
            raise ValueError(f"preload: {name!r} is not a module name (dotted identifiers)")
    return tuple(dict.fromkeys(preload))


def _limit(name: str) -> Any:
    """An attribute of the sandbox that is its Limits' ``name``; setting it
    checks the value as the constructor does (TypeError, ValueError) and
    applies from the next run on (a cgroup already made keeps its memory
    and process limits)."""

    def get(self: AutopoieticSandbox) -> Any:
        return getattr(self.limits, name)

    def set_(self: AutopoieticSandbox, value: object) -> None:
        self.limits = self.limits.changed(name, value)

    return property(get, set_, doc=f"``limits.{name}``.")


def _release(warm: _launch.WarmLauncher, cgroup: _cgroup.LazyCgroup, sessions: _session.SessionHost) -> None:
    """A sandbox object's cgroup goes when it does, after its sessions and
    fork servers (whose prepared sandboxes are in run cgroups of it)."""
    sessions.shutdown()
    warm.stop()
    cgroup.remove()


class AutopoieticSandbox:
    """Validate and run components in Linux namespaces with resource limits.

    ``AutopoieticSandbox(max_memory_mb=100, max_cpu_time_seconds=30,
    max_file_size_kb=1024, temp_dir=None, *, timeout_s=None,
    max_output_bytes=1048576, max_code_bytes=1048576, max_open_files=1024,
    require_isolation=None, validate_code=True, max_processes=64,
    max_disk_mb=64, validator_policy=DEFAULT_POLICY, mode=None,
    use_cgroup=True, python=None, site_packages=False, preload=(),
    max_sessions=8)``

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
      ``2 * max_cpu_time_seconds + 1``, so that a CPU-bound loop ends at
      its CPU limit (``limit_exceeded == "cpu_time"``) and one that sleeps
      at this.  The whole process tree is killed at it (``isolation``
      then ends in ``-timeout``).
    - ``max_output_bytes``: stdout and stderr are each captured up to this
      size; the rest is read and dropped (``output_truncated``).
    - ``max_code_bytes``: larger component source is refused.
    - ``max_open_files``: RLIMIT_NOFILE.
    - ``max_processes``: processes and threads of the component, its main
      process included: the cgroup's ``pids.max`` where one applies, and
      RLIMIT_NPROC (a fork bomb ends with ``limit_exceeded == "processes"``).
    - ``max_disk_mb`` (MiB): size of each of the sandbox's ``/tmp`` and
      ``/work`` (tmpfs; RLIMIT_FSIZE caps one file, this the total).
    - ``require_isolation``: True: raise ``SandboxError`` instead of running
      without every namespace; ``"landlock"``: accept the ``landlock`` rung
      (no namespace, a Landlock ruleset: docs/deployment.md) and refuse
      only ``direct-execution``; False: any rung.  ``None`` reads the
      environment variable ``AUTOPOIETIC_REQUIRE_ISOLATION`` (``1``: True,
      ``landlock``: ``"landlock"``).  Another value: ``ValueError``.
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
      isolation, limits and result dict (docs/design.md, "Execution modes").  ``None`` reads
      the environment variable ``AUTOPOIETIC_MODE``.  Warm mode falls back to
      spawn, with a logged WARNING saying why, when the fork server cannot
      start, and direct execution always spawns (the landlock rung has warm mode).
    - ``use_cgroup``: give each run a cgroup of its own where the host lets
      this process write one (docs/limits.md;
      ``AUTOPOIETIC_CGROUP=off`` turns it off process-wide); ``False``:
      per-process limits only.  ``cgroup_status()`` says what applies.
    - ``python``: the interpreter that runs components (str or PathLike,
      a venv's ``bin/python`` included); None: the caller's
      (``sys.executable``).  It is run once (cached per path) to learn its
      prefixes, version and site-packages; the sandbox's root file system
      is derived from it.  Warm mode needs the caller's Python minor
      version (the fork server loads this package's C extension); another
      runs in spawn mode, with a logged WARNING.
    - ``site_packages``: bind that interpreter's site-packages directories
      read-only and put them on the sandbox's ``sys.path`` (``.pth``
      files are not processed), with the loader's symlinks their
      libraries need; False: no site- or dist-packages directory of it or
      of its base is visible.  Runs then get ``OPENBLAS_NUM_THREADS``,
      ``OMP_NUM_THREADS`` and ``MKL_NUM_THREADS`` set to 1.
    - ``preload``: module names (dotted str) the warm fork server imports
      once at its start, so components find them loaded; they run as the
      caller, outside any sandbox (name only code you trust), and count
      towards each run's memory.  Spawn mode ignores it.
    - ``max_sessions``: how many sessions (``session()``) may be open at
      once (int >= 1).

    Raises ``TypeError`` or ``ValueError`` for limits that are not positive
    numbers, for bad ``preload`` names and a ``require_isolation`` that is
    none of its values, ``TypeError`` for a ``python``
    that is no path, and ``SandboxError`` when the work directory cannot
    be created or ``python`` is not an executable Python interpreter.
    Thread-safe: concurrent calls get separate children and directories.
    """

    max_memory_mb = _limit("max_memory_mb")
    max_cpu_time_seconds = _limit("max_cpu_time_seconds")
    max_file_size_kb = _limit("max_file_size_kb")
    timeout_s = _limit("timeout_s")
    max_disk_mb = _limit("max_disk_mb")
    max_output_bytes = _limit("max_output_bytes")
    max_code_bytes = _limit("max_code_bytes")
    max_open_files = _limit("max_open_files")
    max_processes = _limit("max_processes")

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
        require_isolation: bool | str | None = None,
        validate_code: bool = True,
        max_processes: int = DEFAULT_MAX_PROCESSES,
        max_disk_mb: float = DEFAULT_MAX_DISK_MB,
        validator_policy: ValidatorPolicy = DEFAULT_POLICY,
        mode: str | None = None,
        use_cgroup: bool = True,
        python: str | os.PathLike[str] | None = None,
        site_packages: bool = False,
        preload: Sequence[str] = (),
        max_sessions: int = _session.DEFAULT_MAX_SESSIONS,
    ) -> None:
        #: the checked limits (``autopoietic._limits.Limits``)
        self.limits = Limits.checked(
            max_memory_mb=max_memory_mb, max_cpu_time_seconds=max_cpu_time_seconds,
            max_file_size_kb=max_file_size_kb, timeout_s=timeout_s, max_disk_mb=max_disk_mb,
            max_output_bytes=max_output_bytes, max_code_bytes=max_code_bytes, max_open_files=max_open_files,
            max_processes=max_processes)
        if require_isolation is None:
            require_isolation = os.environ.get("AUTOPOIETIC_REQUIRE_ISOLATION", "")
        #: True, False or "landlock" (see the class docstring)
        self.require_isolation: bool | str = check_requirement(require_isolation)
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
        interpreter, executable = _check_python(python)
        self.site_packages = bool(site_packages)
        self.preload = _check_preload(preload)
        self.temp_dir = None if temp_dir is None else os.fspath(temp_dir)
        self._work = WorkRoot(self.temp_dir, self)
        # The real interpreter runs, not a venv's link to it (-I -S: the
        # standard library only, and with site_packages the directories
        # the plan binds); the root file system is derived from the path
        # given, whose pyvenv.cfg counts.
        self._plan = _launch.RootPlan(executable, self._work, interpreter=interpreter,
                                      site_packages=self.site_packages, preload=self.preload)
        self._spawn = _launch.SpawnLauncher(self._plan)
        # warm mode: one fork server per calling thread
        self._warm = _launch.WarmLauncher(self._plan)
        # cleanup() closes the write end: every run in flight sees its
        # cancel fd hang up and is killed (_sandbox.run(cancel_fd=...))
        self._cancel_r, cancel_w = os.pipe2(os.O_CLOEXEC)
        self._cancel = weakref.finalize(self, os.close, cancel_w)
        weakref.finalize(self, os.close, self._cancel_r)
        # the cgroup of this sandbox object, made at its first run (+ 1:
        # the sandbox's init is in the run's cgroup too)
        self.use_cgroup = bool(use_cgroup)
        self._cgroup = _cgroup.LazyCgroup(self.use_cgroup, self.limits.memory_bytes, self.limits.max_processes + 1)
        # sessions (session()): a worker thread each, whose fork server it keeps
        self._sessions = _session.SessionHost(max_sessions)
        # per-call cancel fds (the async API's): cleanup() cancels them too
        self._calls: weakref.WeakSet[Cancel] = weakref.WeakSet()
        self._release = weakref.finalize(self, _release, self._warm, self._cgroup, self._sessions)

    @property
    def _root(self) -> str:
        """This sandbox object's work directory on the host."""
        return self._work.path

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
        (``success`` False, an ``error`` that says so); open sessions are
        killed; the fork servers of warm mode are stopped."""
        self._sessions.close_all("the sandbox was cleaned up")
        self._cancel()
        for call in list(self._calls):
            call.cancel()
        self._work.remove()
        self._release()

    def cgroup_status(self) -> tuple[list[str], str]:
        """cgroup_status() -> (controllers, note)

        The controllers (``memory``, ``pids``, ``cpu``) a cgroup of each run
        applies on this host, and in words what is missing and why
        (``""``: nothing).  Makes this sandbox's cgroup if not made yet.
        """
        return self._cgroup.status()

    # -- validation -------------------------------------------------------------

    def _encode(self, code: object, what: str) -> bytes:
        """UTF-8 bytes of code; TypeError / SandboxError for what cannot run."""
        if not isinstance(code, str):
            raise TypeError(f"{what} must be str, not {type(code).__name__}")
        data = _files.encoded_utf8(code, what)
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
        ``component_name`` under the component protocol (docs/api.md, "The component protocol"): the
        first class defined in the module is instantiated, must carry
        ``_security_signature`` and ``_generated_in_sandbox``, and its
        ``run()`` must return.  Returns the result dict (docs/api.md, "The result dict").
        The historical signature: ``run_component`` with its defaults.

        Raises ``TypeError`` for non-str arguments and ``SandboxError`` when
        the name is not a plain identifier, the code is over
        ``max_code_bytes``, the validator refuses it (``.findings``), or
        isolation is required but unavailable.
        """
        return self.run_component(component_code, component_name)

    def run_component(self, component_code: str, component_name: str, *, stdin: str | bytes | None = None,
                      files: Mapping[str, bytes | str] | None = None, fetch: Iterable[str] = (),
                      on_stdout: OutputCallback = None, on_stderr: OutputCallback = None,
                      **limits: float | None) -> ExecutionResult:
        """run_component(component_code, component_name, *, stdin=None,
        files=None, fetch=(), on_stdout=None, on_stderr=None,
        timeout_s=None, <any limit>=None) -> dict

        ``execute_component`` with the per-call options of ``run_source``
        (the same meaning, checks and errors).
        """
        return self._component(component_code, component_name, stdin, files, fetch, on_stdout, on_stderr, limits)

    def _component(self, component_code: object, component_name: object, stdin: object, files: object,
                   fetch: object, on_stdout: object, on_stderr: object, limits: dict[str, float | None],
                   cancel: Cancel | None = None) -> ExecutionResult:
        data = self._encode(component_code, "component_code")
        name = _check_name(component_name)
        run = self._call(stdin, files, fetch, limits, name, on_stdout, on_stderr)
        if self.validate_code:
            findings = self._findings(data)
            if findings:
                summary = "; ".join(str(f) for f in findings[:5])
                more = f" (+{len(findings) - 5} more)" if len(findings) > 5 else ""
                raise SandboxError(f"component {name!r} refused by the validator: {summary}{more}", findings)
        return self._run("component", data, name, self.validate_code, run, cancel=cancel)

    def run_source(self, source: str, *, stdin: str | bytes | None = None,
                   files: Mapping[str, bytes | str] | None = None, fetch: Iterable[str] = (),
                   on_stdout: OutputCallback = None, on_stderr: OutputCallback = None,
                   **limits: float | None) -> ExecutionResult:
        """run_source(source: str, *, stdin=None, files=None, fetch=(),
        on_stdout=None, on_stderr=None, timeout_s=None, <any limit>=None) -> dict

        Run arbitrary Python ``source`` as ``__main__`` under the same
        isolation and limits, without the validator and the component
        protocol (``security_validated`` is False).  ``success`` means exit
        status 0 (``sys.exit(0)`` included) with no limit hit.

        Per call (docs/api.md, "Inputs and outputs of a run"):

        - ``stdin``: ``str`` (UTF-8) or ``bytes``, the program's fd 0 (a
          sealed memory file, read at any pace: no deadlock with a large
          stdout); None: ``/dev/null``.  At most 1 GiB.
        - ``files``: {relative path: bytes or str} written under the working
          directory (``/work``) before the program starts, directories
          made as needed.  Each file at most ``max_file_size_kb``, all
          together at most ``max_disk_mb``.
        - ``fetch``: relative paths read back from the working directory
          when the program's main code has finished, into
          ``result["files"]`` (path -> bytes), each at most
          ``max_output_bytes``; a path that is missing, a symbolic link
          (anywhere along it), not a regular file, or too large is in
          ``result["fetch_errors"]`` (path -> why) instead.
        - ``on_stdout``, ``on_stderr``: called with each chunk (bytes) of
          the program's stdout or stderr as it is read, in the calling
          thread, up to ``max_output_bytes`` each (the result has all of
          it too).  An exception of one kills the run and is raised.
        - ``timeout_s``, ``max_cpu_time_seconds``, ``max_memory_mb``,
          ``max_file_size_kb``, ``max_disk_mb``, ``max_output_bytes``,
          ``max_open_files``, ``max_processes``: this run's own limits, in
          the constructor's units (None: the sandbox's).

        Raises ``TypeError`` for non-str source, an option of the wrong
        type or an unknown keyword, ``ValueError`` for a limit out of range,
        and ``SandboxError`` for source over ``max_code_bytes`` or not
        encodable as UTF-8, a path that is absolute or has ``..``, or
        files over their bounds.
        """
        return self._source(source, stdin, files, fetch, on_stdout, on_stderr, limits)

    def _source(self, source: object, stdin: object, files: object, fetch: object, on_stdout: object,
                on_stderr: object, limits: dict[str, float | None], cancel: Cancel | None = None) -> ExecutionResult:
        data = self._encode(source, "source")
        run = self._call(stdin, files, fetch, limits, "__main__", on_stdout, on_stderr)
        return self._run("source", data, "__main__", False, run, cancel=cancel)

    def _run_strict(self, source: str, **limits: float | None) -> ExecutionResult:
        """run_source(source, **limits), where only a program whose main code
        finished succeeds (not one that ended itself with os._exit(0)):
        for autopoietic.harness."""
        data = self._encode(source, "source")
        return self._run("source", data, "__main__", False, self._call(None, None, (), limits, "__main__"),
                         strict=True)

    def _call(self, stdin: object, files: object, fetch: object, limits: dict[str, float | None],
              name: str, on_stdout: object = None, on_stderr: object = None) -> _Call:
        """The checked per-call options of a run of module name."""
        unknown = sorted(set(limits) - set(CALL_LIMITS))
        if unknown:
            raise TypeError(f"unknown keyword argument {unknown[0]!r}; the per-call limits are "
                            + ", ".join(CALL_LIMITS))
        checked = self.limits.with_changes(dict(limits))
        return _Call(
            limits=checked,
            stdin=_files.check_stdin(stdin),
            files=_files.check_files(files, int(checked.max_file_size_kb * 1024), checked.scratch_bytes,
                                     SCRATCH_INODES - 16, reserved=f"{name}.py"),
            fetch=_files.check_fetch(fetch),
            on_output=output_callback(on_stdout, on_stderr),
        )

    def _launch(self, job: _launch.Job) -> tuple[_launch.Launched, tuple[str, ...]]:
        """Launch job on the ladder's rung (a rung the host refuses moves
        the ladder down and the job is tried again): what the launcher did
        and the namespaces entered.  Raises ``SandboxError`` when isolation
        is required but unavailable."""
        while True:
            rung = LADDER.choose(self.require_isolation)
            entered = rung.namespaces if rung is not None else ()
            launched = self._warm.launch(rung, job) if rung is not None and self.mode == "warm" else None
            if launched is None:
                launched = self._spawn.launch(rung, job)
            raw = launched.raw
            setup = raw["setup_error"] if raw is not None else None
            if rung is not None and setup is not None and namespaces_refused(setup, launched.options):
                LADDER.failed(rung, setup[0], setup[1])
                self._warm.forget(rung)
                continue
            return launched, entered

    def _run(self, mode: str, data: bytes, name: str, validated: bool, call: _Call,
             strict: bool = False, cancel: Cancel | None = None) -> ExecutionResult:
        """One run: launch (``_launch``), interpret.  strict: see
        _outcome.interpret; cancel: this call's own cancel fd (default:
        the sandbox's, which cleanup() closes)."""
        self._work.check_alive()
        limits = call.limits
        extras: dict[str, object] = {}
        total = _files.fetch_total(limits.scratch_bytes)
        if call.fetch:
            extras.update(fetch=call.fetch, fetch_cap=limits.max_output_bytes, fetch_total=total)
        if self._plan.sys_path:
            extras["sys_path"] = list(self._plan.sys_path)  # bound site-packages
        packed, contents = _launch.run_extras(extras, call.files)
        nonce, header = _launch.runner_header(mode, name, len(data), len(packed))
        with _launch.sealed_source(data, name, packed, *contents) as source_fd, \
                _launch.sealed_stdin(call.stdin) as stdin_fd:
            job = _launch.Job(source_fd, header, self._cancel_r if cancel is None else cancel.fd, limits,
                              self._cgroup.get(), stdin_fd, _files.verdict_limit(call.fetch, total),
                              on_output=call.on_output)
            launched, entered = self._launch(job)
        raw = launched.raw
        if raw is None:
            return failed_result(launched.failure, launched.elapsed, entered, validated, job.controllers, call.fetch)
        return interpret(raw, namespaces=entered, nonce=nonce, mode=mode, validated=validated,
                         mounts=launched.options.get("mounts", []), controllers=job.controllers,
                         limits=limits, fetch=call.fetch, strict=strict, landlock=launched.landlock)

    def _cancel_scope(self) -> Cancel:
        """A cancel fd for one call, cancelled by cleanup() too (close() it after)."""
        self._work.check_alive()
        cancel = Cancel()
        self._calls.add(cancel)
        return cancel

    # -- sessions ---------------------------------------------------------------

    def session(self, *, idle_timeout_s: float = _session.DEFAULT_IDLE_TIMEOUT_S,
                lifetime_s: float = _session.DEFAULT_LIFETIME_S, **limits: float | None) -> Session:
        """session(*, idle_timeout_s=300, lifetime_s=3600, timeout_s=None,
        <any limit>=None) -> Session

        One long-lived sandboxed interpreter (docs/api.md, "Sessions"):
        the same rung, namespaces, root, seccomp filter and limits as a run,
        started at once (in warm mode from a fork server).  Its cells
        (``Session.run``) share one ``__main__``, its imports and the files
        in ``/work``.  Use it as a context manager, or ``close()`` it.

        - ``timeout_s`` (s): the wall-clock limit of each cell (default the
          sandbox's); a cell over it ends the session.
        - ``max_cpu_time_seconds`` (s), ``max_memory_mb`` (MiB): budgets of
          the whole session, all its cells and processes together (memory:
          the cgroup where one applies; RLIMIT_AS per process everywhere).
        - the other limits as for a run (``max_disk_mb``: each of its
          ``/work`` and ``/tmp``; ``max_output_bytes``: per cell and stream).
        - ``idle_timeout_s`` (s): the session ends after this long with no
          cell running.
        - ``lifetime_s`` (s): it ends this long after its start, whatever
          it is doing.

        Raises ``TypeError``/``ValueError`` for bad limits, and
        ``SandboxError`` when ``max_sessions`` sessions are open, after
        ``cleanup()``, or when isolation is required but unavailable.
        """
        self._work.check_alive()
        cell = self._call(None, None, (), limits, "__main__").limits
        whole = cell.changed("timeout_s", lifetime_s)
        idle = _session.check_seconds("idle_timeout_s", idle_timeout_s)
        LADDER.choose(self.require_isolation)  # SandboxError now, not at the first cell
        extras: dict[str, object] = {"sys_path": list(self._plan.sys_path)} if self._plan.sys_path else {}
        backend = _session.Backend(launch=self._launch, encode=self._encode, cgroup=self._cgroup.get(),
                                   extras=extras)
        return self._sessions.open(backend, cell, whole, idle)


def create_secure_sandbox(**kwargs: object) -> AutopoieticSandbox:
    """create_secure_sandbox(**kwargs) -> AutopoieticSandbox

    A sandbox with the historical secure defaults: 100 MB of memory, 30 s of
    CPU time, files up to 500 KB.  Keyword arguments override any option of
    ``AutopoieticSandbox``.
    """
    options: dict[str, Any] = {"max_memory_mb": 100, "max_cpu_time_seconds": 30, "max_file_size_kb": 500}
    options.update(kwargs)
    return AutopoieticSandbox(**options)
