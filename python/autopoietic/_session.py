"""Sessions: one long-lived sandboxed interpreter that runs cell after cell.

A session is a run like any other (the same ladder, launchers, limits and
job), whose runner is in MODE ``session`` (_runner.py): its stdin is one
end of a ``SOCK_SEQPACKET`` socketpair, and each message the host sends on
the other end carries the six fds of one cell (stdin, stdout, stderr, the
runner's arguments and nonce, the verdict pipe, the sealed source), the
same fds a run gets.  So a cell's stdout and stderr are pipes of its own,
and its verdict carries a nonce of its own.  The host end is shut for
reading: the sandbox can send nothing back on it (no fd, no data).

The run itself goes on in a worker thread of the sandbox object (daemon
threads, reused: ``_Workers``): in warm mode that thread's fork server
makes it, and keeps serving the sessions that later take the thread.  Its wall-clock limit is the session's ``lifetime_s``,
its CPU and memory limits are the whole session's.  The host enforces each
cell's ``timeout_s`` and the idle timeout; either kills the session
through its cancel fd, and the C layer reaps the tree.
"""

from __future__ import annotations

import functools
import math
import os
import queue
import secrets
import select
import signal
import socket
import threading
import time
import weakref
from concurrent.futures import Future
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping, Optional

from . import _files, _launch
from ._cgroup import SESSION_PREFIX, SandboxCgroup, SessionCgroup
from ._common import CellResult, SandboxError, logger
from ._limits import SCRATCH_INODES, Limits
from ._outcome import CANCELLED, failed_result, interpret

if TYPE_CHECKING:
    from ._sandbox import RunResult

__all__ = ["Backend", "DEFAULT_IDLE_TIMEOUT_S", "DEFAULT_LIFETIME_S", "DEFAULT_MAX_SESSIONS", "Session",
           "SessionHost", "check_seconds"]

DEFAULT_IDLE_TIMEOUT_S = 300.0
DEFAULT_LIFETIME_S = 3600.0
DEFAULT_MAX_SESSIONS = 8
#: How long close() waits for a session to end on its own (its socket
#: closed) before it is killed.
CLOSE_GRACE_S = 5.0
#: After the session's processes are gone, how long to read what is left
#: in a cell's pipes.
DRAIN_S = 2.0
#: After a cell's verdict, how long to read what is left in its stdout and
#: stderr pipes.
DRAIN_AFTER_VERDICT_S = 0.2
_CHUNK = 65536
#: The most bytes of a cell's verdict without fetched files.
_VERDICT_BYTES = 1 << 16


def check_seconds(name: str, value: object) -> float:
    """value as a number of seconds: finite and > 0.  Raises TypeError and
    ValueError."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number, not {type(value).__name__}")
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return float(value)


@dataclass(frozen=True)
class Backend:
    """What a session needs of its sandbox object."""

    #: AutopoieticSandbox._launch: (Launched, namespaces entered)
    launch: Callable[[_launch.Job], tuple[_launch.Launched, tuple[str, ...]]]
    #: AutopoieticSandbox._encode: (code, what) -> UTF-8 bytes
    encode: Callable[[object, str], bytes]
    cgroup: SandboxCgroup | None
    #: the session's extras (_runner.py): sys_path
    extras: dict[str, object]


def verdict_complete(data: bytes | bytearray, fetched: int) -> bool:
    """Is data a whole cell verdict (_runner.py: its length in 10 digits,
    the verdict, then RS and one record per fetched path)?"""
    if len(data) < 10 or not data[:10].isdigit():
        return len(data) >= 10  # malformed: nothing more will make it whole
    end = 10 + int(data[:10])
    if len(data) < end:
        return False
    if not fetched:
        return True
    end += 1  # RS
    for _ in range(fetched):
        if len(data) < end + 11:
            return False
        status, size = data[end:end + 1], data[end + 1:end + 11]
        if not size.isdigit():
            return True  # malformed
        end += 11 + (int(size) if status == b"f" else 0)
    return len(data) >= end


def split_verdict(data: bytes) -> tuple[bytes, float | None]:
    """(the verdict as a run's, the session's CPU seconds so far) of a
    whole cell verdict; (data, None) when it is malformed."""
    if len(data) < 10 or not data[:10].isdigit():
        return data, None
    end = 10 + int(data[:10])
    text, rest = data[10:end], data[end:]
    head, sep, cpu = text.rpartition(b"\x1f")
    try:
        seconds = float(cpu.decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        return data, None
    if not sep or not math.isfinite(seconds) or seconds < 0:
        return data, None
    return head + rest, seconds


class _Watchdog:
    """Ends the sessions of one sandbox object that are idle too long (one
    thread, started with the first session): it closes the session's
    socket, and kills it CLOSE_GRACE_S later if it has not ended by then
    (a cell may have left the interpreter busy, or made it ignore the
    socket)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._deadlines: dict[Session, tuple[float, bool]] = {}  # (when, kill then)
        self._thread: threading.Thread | None = None
        self._stopped = False

    def idle(self, session: Session, deadline: float, kill: bool = False) -> None:
        with self._cond:
            if self._stopped:
                return
            self._deadlines[session] = (deadline, kill)
            if self._thread is None:
                self._thread = threading.Thread(target=self._watch, name="autopoietic-session-idle", daemon=True)
                self._thread.start()
            self._cond.notify()

    def busy(self, session: Session) -> None:
        with self._cond:
            self._deadlines.pop(session, None)

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._deadlines.clear()
            self._cond.notify()

    def _watch(self) -> None:
        while True:
            with self._cond:
                if self._stopped:
                    return
                now = time.monotonic()
                expired = [(s, kill) for s, (when, kill) in self._deadlines.items() if when <= now]
                for session, _ in expired:
                    del self._deadlines[session]
                if not expired:
                    wake = min((when for when, _ in self._deadlines.values()), default=None)
                    self._cond.wait(None if wake is None else max(wake - now, 0.001))
                    continue
            for session, kill in expired:
                session._end(f"idle for {session.idle_timeout_s:g} s (idle_timeout_s)", kill=kill)
                if not kill:  # killed if it has not ended by then (its worker then says busy())
                    self.idle(session, time.monotonic() + CLOSE_GRACE_S, kill=True)


class _Workers:
    """Daemon threads that run sessions' runs, each reused when its run
    ends (so it keeps its fork server).  Not a ThreadPoolExecutor: the
    interpreter joins those at exit, before any atexit handler could end
    an open session, and would wait for its lifetime."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle: list[queue.SimpleQueue[Any]] = []
        self._stopped = False

    def submit(self, fn: Callable[[], None]) -> Future[None]:
        future: Future[None] = Future()
        with self._lock:
            if self._stopped:
                raise SandboxError("the sandbox was cleaned up; it runs nothing more")
            jobs = self._idle.pop() if self._idle else None
        if jobs is None:
            jobs = queue.SimpleQueue()
            threading.Thread(target=self._work, args=(jobs,), name="autopoietic-session", daemon=True).start()
        jobs.put((fn, future))
        return future

    def _work(self, jobs: queue.SimpleQueue[Any]) -> None:
        while True:
            job = jobs.get()
            if job is None:
                return
            fn, future = job
            if future.set_running_or_notify_cancel():
                try:
                    fn()
                except BaseException as exc:
                    future.set_exception(exc)
                else:
                    future.set_result(None)
            del job, fn, future
            with self._lock:
                if self._stopped:
                    return
                self._idle.append(jobs)

    def stop(self) -> None:
        """The idle threads end; busy ones end after their run."""
        with self._lock:
            self._stopped = True
            idle, self._idle = self._idle, []
        for jobs in idle:
            jobs.put(None)


class SessionHost:
    """The sessions of one sandbox object: at most max_sessions open, each
    on a worker thread of its own."""

    def __init__(self, max_sessions: object) -> None:
        if isinstance(max_sessions, bool) or not isinstance(max_sessions, int):
            raise TypeError(f"max_sessions must be an int, not {type(max_sessions).__name__}")
        if not 1 <= max_sessions <= 1024:
            raise ValueError(f"max_sessions must be between 1 and 1024, got {max_sessions}")
        self.max_sessions = max_sessions
        self._lock = threading.Lock()
        self._open: set[Session] = set()
        self._workers = _Workers()
        self._closed = False
        self._local = threading.local()
        self.watchdog = _Watchdog()

    def open(self, backend: Backend, cell: Limits, whole: Limits, idle_timeout_s: float) -> Session:
        """A new session (started: its first cell finds it running or
        starting).  Raises SandboxError at the cap or after shutdown()."""
        with self._lock:
            if self._closed:
                raise SandboxError("the sandbox was cleaned up; it runs nothing more")
            if len(self._open) >= self.max_sessions:
                raise SandboxError(f"{len(self._open)} sessions are open, the most this sandbox allows "
                                   f"(max_sessions={self.max_sessions}); close one first")
            session = Session(self, backend, cell, whole, idle_timeout_s)
            self._open.add(session)
            try:
                session._start(self._workers)
            except BaseException:
                self._open.discard(session)
                raise
        return session

    def ended(self, session: Session) -> None:
        """session's worker is done: its slot is free."""
        with self._lock:
            self._open.discard(session)

    def thread_cgroup(self, base: SandboxCgroup | None) -> SessionCgroup | None:
        """The cgroup directory of this worker thread's sessions (made at
        its first), under base; None without one.  One per thread, not per
        session: a fork server's prepared sandbox is made with the plan of
        the session before (a new directory each time would make it
        prepare another).  The sandbox object's cgroup removes them."""
        if base is None:
            return None
        cgroup: SessionCgroup | None = getattr(self._local, "cgroup", None)
        if cgroup is None:
            try:
                cgroup = base.child(f"{SESSION_PREFIX}{secrets.token_hex(6)}")
            except OSError as exc:
                logger.warning("autopoietic: a session's cgroup directory cannot be made (%s): its cells cannot "
                               "tell a child's OOM kill", exc)
                return None
            self._local.cgroup = cgroup
        return cgroup

    def sessions(self) -> list[Session]:
        with self._lock:
            return list(self._open)

    def close_all(self, reason: str) -> None:
        """Kill every open session (reason: why, for their results)."""
        for session in self.sessions():
            session._end(reason, kill=True)
        for session in self.sessions():
            session._wait_worker(CLOSE_GRACE_S)

    def shutdown(self) -> None:
        """close_all, then no new session; the worker threads end."""
        with self._lock:
            self._closed = True
        self.close_all("the sandbox was cleaned up")
        self.watchdog.stop()
        self._workers.stop()


class Session:
    """One long-lived sandboxed interpreter (``AutopoieticSandbox.session``).

    ``run(source, ...)`` executes a cell in its ``__main__`` and returns
    its result dict; ``close()`` (or the end of a ``with`` block) ends it.
    A cell that raises leaves the session usable; one that times out or
    breaks a limit ends it (its result says so: ``session_ended``), and
    so do the idle timeout and the session's lifetime.  After its end every
    call of ``run`` raises ``SandboxError``.  One cell runs at a time: a
    second thread's ``run`` waits for the first.
    """

    def __init__(self, host: SessionHost, backend: Backend, cell: Limits, whole: Limits,
                 idle_timeout_s: float) -> None:
        self._host = host
        self._backend = backend
        #: the limits of each cell (timeout_s: per cell; the rest as whole's)
        self.limits = cell
        #: the limits of the whole session's run (timeout_s: lifetime_s)
        self.session_limits = whole
        self.idle_timeout_s = idle_timeout_s
        self.cells = 0
        #: why the session ended (None while it is open)
        self.ended: str | None = None
        self._run_lock = threading.Lock()
        self._state = threading.Lock()
        self._in_cell = False
        self._cpu_seen = 0.0
        self._namespaces: tuple[str, ...] = ()
        self._landlock: dict[str, Any] | None = None
        self._launched: _launch.Launched | None = None
        self._failure: BaseException | None = None
        self._future: Future[None] | None = None
        self._sock: socket.socket | None = None
        self._cancel = _launch.Cancel()  # the session's run's cancel fd
        self._cgroup: SessionCgroup | None = None
        self._oom_base: dict[str, int] = {}
        self._oom_seen = 0
        self._close_ended: Callable[[], object] = lambda: None

    # -- starting and ending ------------------------------------------------

    def _start(self, workers: _Workers) -> None:
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET | socket.SOCK_CLOEXEC)
        parent.shutdown(socket.SHUT_RD)  # the sandbox can send nothing back
        packed, _ = _launch.run_extras(self._backend.extras, [])
        _, header = _launch.runner_header("session", "__main__", 0, len(packed))
        self._ended_r, ended_w = os.pipe2(os.O_CLOEXEC)
        # closed by close() once no cell waits on it, or when the object goes
        self._close_ended = weakref.finalize(self, os.close, self._ended_r)
        source_fd = -1
        try:
            source_fd = _launch.sealed_memfd("session", packed)
            self._future = workers.submit(functools.partial(self._serve, source_fd, header, child, ended_w))
        except BaseException:
            self._close_ended()
            for fd in (ended_w, source_fd):
                if fd >= 0:
                    os.close(fd)
            self._cancel.close()
            parent.close()
            child.close()
            raise
        self._sock = parent
        self._host.watchdog.idle(self, time.monotonic() + self.idle_timeout_s)

    def _started(self, namespaces: tuple[str, ...], landlock: dict[str, Any] | None) -> None:
        self._namespaces, self._landlock = namespaces, landlock

    def _serve(self, source_fd: int, header: bytes, child: socket.socket, ended_w: int) -> None:
        """The worker: the session's whole run."""
        try:
            # the session's run cgroup is made in this thread's directory:
            # OOM kills count from what each run cgroup there had now
            self._cgroup = self._host.thread_cgroup(self._backend.cgroup)
            self._oom_base = self._cgroup.oom_counts() if self._cgroup is not None else {}
            job = _launch.Job(source_fd, header, self._cancel.fd, self.session_limits,
                              self._cgroup or self._backend.cgroup, child.fileno(), _VERDICT_BYTES,
                              on_start=self._started)
            self._launched, self._namespaces = self._backend.launch(job)
        except BaseException as exc:
            self._failure = exc
        finally:
            os.close(source_fd)
            child.close()
            os.close(ended_w)  # a cell waiting on the session sees it end
            with self._state:
                if self.ended is None:
                    self.ended = self._why_it_ended()
            self._cancel.close()
            self._host.watchdog.busy(self)
            self._host.ended(self)

    def _why_it_ended(self) -> str:
        if self._failure is not None:
            return f"the session could not run: {self._failure}"
        raw = self._launched.raw if self._launched is not None else None
        if raw is None:
            return f"the session's sandbox failed: {self._launched.failure if self._launched else '?'}"
        if raw["setup_error"] is not None:
            stage, err, _ = raw["setup_error"]
            return f"the session's sandbox setup failed at stage {stage}: {os.strerror(err)}"
        if raw["timed_out"]:
            return f"its lifetime of {self.session_limits.timeout_s:g} s (lifetime_s) ran out"
        if raw["cpu_exceeded"] or raw["signal"] == signal.SIGXCPU:
            return f"its CPU time budget of {self.session_limits.max_cpu_time_seconds:g} s was used up"
        if raw["cgroup_oom_kills"] > 0:
            return f"its memory budget of {self.session_limits.max_memory_mb:g} MB was exceeded"
        if raw["signal"] is not None:
            return f"its interpreter was killed by signal {raw['signal']}"
        return f"its interpreter exited with status {raw['exit_code']}"

    def _end(self, reason: str, kill: bool) -> None:
        """End the session (reason: why, kept in ``ended``): close its
        socket, so its interpreter exits; kill: or kill it at once (also
        when a cell is running)."""
        with self._state:
            if self.ended is None:
                self.ended = reason
            in_cell = self._in_cell
            sock, self._sock = self._sock, None
        if sock is not None:
            sock.close()
        if kill or in_cell:
            self._cancel.cancel()

    def _wait_worker(self, timeout: float) -> bool:
        """Wait up to timeout seconds for the worker to end; True if it did."""
        future = self._future
        if future is None:
            return True
        try:
            future.result(timeout)
        except Exception:
            return future.done()
        return True

    def close(self) -> None:
        """End the session and reap its processes (they are killed if they
        do not end within 5 s of its interpreter's socket closing).  Safe to
        call more than once and from another thread (a running cell then
        ends as cancelled)."""
        self._end("the session was closed", kill=False)
        if not self._wait_worker(CLOSE_GRACE_S):
            self._cancel.cancel()
            self._wait_worker(CLOSE_GRACE_S + 60)
        with self._run_lock:  # a cell of another thread has seen the end
            self._close_ended()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def alive(self) -> bool:
        """True until the session ends."""
        return self.ended is None

    # -- cells --------------------------------------------------------------

    def run(self, source: str, *, stdin: str | bytes | None = None,
            files: Mapping[str, bytes | str] | None = None, fetch: Iterable[str] = (),
            timeout_s: float | None = None, on_stdout: Optional[Callable[[bytes], object]] = None,
            on_stderr: Optional[Callable[[bytes], object]] = None) -> CellResult:
        """run(source, *, stdin=None, files=None, fetch=(), timeout_s=None,
        on_stdout=None, on_stderr=None) -> dict

        Execute ``source`` in the session's ``__main__`` (its names,
        imports and files in ``/work`` stay for later cells) and return
        the result dict of a run with this cell's own ``stdout`` and
        ``stderr``, plus ``cell`` and ``session_ended``.  ``stdin``,
        ``files``, ``fetch``, ``on_stdout`` and ``on_stderr`` mean what they
        mean for ``run_source`` (a file given replaces one of that name);
        ``timeout_s`` (s): this cell's wall-clock limit (default: the
        session's).  ``cpu_time_s`` and ``max_rss_kib`` of a cell are as
        the session's interpreter reports them.

        Raises ``TypeError``/``ValueError`` for bad arguments and
        ``SandboxError`` when the session has ended, or for source or
        files over their bounds.
        """
        data = self._backend.encode(source, "source")
        on_output = _launch.output_callback(on_stdout, on_stderr)
        limits = self.limits if timeout_s is None else self.limits.changed("timeout_s", timeout_s)
        stdin_data = _files.check_stdin(stdin)
        given = _files.check_files(files, int(limits.max_file_size_kb * 1024), limits.scratch_bytes,
                                   SCRATCH_INODES - 16)
        paths = _files.check_fetch(fetch)
        with self._run_lock:
            with self._state:
                if self.ended is not None:
                    raise SandboxError(f"the session has ended: {self.ended}")
                sock = self._sock
                self._in_cell = True
            assert sock is not None
            self._host.watchdog.busy(self)
            try:
                result = self._cell(sock, data, limits, stdin_data, given, paths, on_output)
            finally:
                with self._state:
                    self._in_cell = False
                    alive = self.ended is None
                if alive:
                    self._host.watchdog.idle(self, time.monotonic() + self.idle_timeout_s)
        return result

    def _cell(self, sock: socket.socket, data: bytes, limits: Limits, stdin: bytes | None,
              files: list[tuple[str, bytes]], fetch: list[str],
              on_output: Callable[[int, bytes], None] | None) -> CellResult:
        self.cells += 1
        number = self.cells
        total = _files.fetch_total(limits.scratch_bytes)
        extras: dict[str, object] = {}
        if fetch:
            extras.update(fetch=fetch, fetch_cap=limits.max_output_bytes, fetch_total=total)
        packed, contents = _launch.run_extras(extras, files)
        nonce, header = _launch.runner_header("cell", "__main__", len(data), len(packed), filename=f"<cell {number}>")
        verdict_limit = _files.verdict_limit(fetch, total) + 64
        started = time.monotonic()
        ours: list[int] = []  # the host's ends: out_r, err_r, verdict_r
        theirs: list[int] = []  # the cell's fds 0-5, closed here once sent
        try:
            with _launch.sealed_source(data, "cell", packed, *contents) as source_fd, \
                    _launch.sealed_stdin(stdin) as stdin_fd:
                theirs.append(os.open("/dev/null", os.O_RDONLY | os.O_CLOEXEC) if stdin_fd < 0 else os.dup(stdin_fd))
                for _ in range(2):  # stdout, stderr
                    r, w = os.pipe2(os.O_CLOEXEC)
                    ours.append(r)
                    theirs.append(w)
                arg_r, arg_w = os.pipe2(os.O_CLOEXEC)
                theirs.append(arg_r)
                try:
                    os.write(arg_w, header)  # fits the empty pipe in one write
                finally:
                    os.close(arg_w)
                r, w = os.pipe2(os.O_CLOEXEC)
                ours.append(r)
                theirs.append(w)
                theirs.append(os.dup(source_fd))
                try:
                    socket.send_fds(sock, [b"cell"], theirs, socket.MSG_DONTWAIT)
                    sent = True
                except OSError:
                    sent = False  # the session is gone, or not reading: it ends below
            for fd in theirs:
                os.close(fd)
            theirs = []
            if sent:
                out_r, err_r, verdict_r = ours
                ours = []
                streams = self._collect(out_r, err_r, verdict_r, started + limits.timeout_s, len(fetch),
                                        verdict_limit, on_output)
            else:
                streams = _Streams()
                streams.ended = True
                self._end(f"cell {number} could not be sent: the session is not reading", kill=True)
        except BaseException:
            # an on_stdout/on_stderr callback raised (or the host failed): the session ends
            self._end(f"cell {number} was interrupted on the host", kill=True)
            raise
        finally:
            for fd in theirs + ours:
                os.close(fd)
        return self._result(number, nonce, limits, fetch, streams, time.monotonic() - started)

    def _collect(self, out_r: int, err_r: int, verdict_r: int, deadline: float, fetched: int,
                 verdict_limit: int, on_output: Callable[[int, bytes], None] | None) -> _Streams:
        """Read a cell's pipes until its verdict is whole (then what is left
        in stdout and stderr), the session ends, or deadline passes.
        Closes the three fds."""
        streams = _Streams()
        kinds = {out_r: 0, err_r: 1, verdict_r: 2}
        poller = select.poll()
        for fd in (out_r, err_r, verdict_r, self._ended_r):
            poller.register(fd, select.POLLIN)
        cap = self.limits.max_output_bytes
        drain_until = math.inf
        try:
            while kinds:
                now = time.monotonic()
                if streams.complete or now >= drain_until:
                    break
                if now >= deadline and not streams.ended:
                    streams.timed_out = True
                    break
                wait = min(deadline, drain_until) - now
                try:
                    # a second at most: poll() takes an int of ms (timeout_s may be 1e7 s)
                    events = poller.poll(min(max(1, math.ceil(wait * 1000)), 1000))
                except InterruptedError:
                    continue
                for fd, _ in events:
                    if fd == self._ended_r:
                        poller.unregister(fd)
                        streams.ended = True
                        drain_until = time.monotonic() + DRAIN_S
                        continue
                    chunk = os.read(fd, _CHUNK)
                    kind = kinds[fd]
                    if not chunk:
                        poller.unregister(fd)
                        os.close(fd)
                        del kinds[fd]
                        if kind == 2:  # all there will be: whole, or the cell's interpreter is gone
                            streams.complete = verdict_complete(streams.verdict, fetched)
                            if not streams.complete:
                                break
                        continue
                    if kind == 2:
                        streams.verdict += chunk[:max(verdict_limit - len(streams.verdict), 0)]
                        streams.complete = (len(streams.verdict) >= verdict_limit
                                            or verdict_complete(streams.verdict, fetched))
                    else:
                        streams.keep(kind, chunk, cap, on_output)
            # the runner flushed its output before the verdict: take what is
            # there, for a moment at most (a process the cell left may keep
            # writing; what it writes later is not this cell's)
            until = time.monotonic() + DRAIN_AFTER_VERDICT_S
            for fd, kind in list(kinds.items()):
                if kind == 2:
                    continue
                os.set_blocking(fd, False)
                while time.monotonic() < until:
                    try:
                        chunk = os.read(fd, _CHUNK)
                    except BlockingIOError:
                        break
                    if not chunk:
                        break
                    streams.keep(kind, chunk, cap, on_output)
        finally:
            for fd in kinds:
                os.close(fd)
        return streams

    def _result(self, number: int, nonce: str, limits: Limits, fetch: list[str], streams: _Streams,
                wall_s: float) -> CellResult:
        """The cell's result dict; ends the session when the cell did."""
        if not (streams.complete or streams.timed_out or streams.ended):
            # the verdict pipe closed before its verdict was whole: the
            # interpreter died (a signal, RLIMIT_CPU, os._exit), or the cell
            # closed fd 4 itself, which ends the session too
            if not self._wait_worker(CLOSE_GRACE_S):
                self._end(f"cell {number} closed its verdict pipe (fd 4)", kill=True)
            streams.ended = True
        if streams.timed_out:
            self._end(f"cell {number} timed out after {limits.timeout_s:g} s (timeout_s)", kill=True)
        if streams.timed_out or streams.ended:
            self._wait_worker(CLOSE_GRACE_S + 60)
        ended_before = streams.ended
        verdict, cpu_total = split_verdict(bytes(streams.verdict)) if streams.verdict else (b"", None)
        final: RunResult | None = self._launched.raw if self._launched is not None else None
        if ended_before and final is None:
            failure = str(self._failure) if self._failure else (self._launched.failure if self._launched else "")
            result = failed_result(f"the session could not run: {failure or self.ended}", wall_s,
                                   self._namespaces, False, self._controllers(), fetch)
            return {**result, "cell": number, "session_ended": True}
        if cpu_total is None and final is not None:
            cpu_total = float(final["cpu_s"])
        cpu = max((cpu_total or self._cpu_seen) - self._cpu_seen, 0.0)
        self._cpu_seen = max(self._cpu_seen, cpu_total or 0.0)
        raw: dict[str, Any] = {
            "stdout": bytes(streams.out[0]), "stderr": bytes(streams.out[1]), "verdict": verdict,
            "stdout_truncated": streams.truncated[0], "stderr_truncated": streams.truncated[1],
            "verdict_truncated": False, "cancelled": False, "exit_code": 0, "signal": None,
            "setup_error": None, "timed_out": streams.timed_out, "cpu_exceeded": False, "wall_s": wall_s,
            "cpu_s": cpu, "max_rss_kib": 0, "cgroup_memory_peak": -1, "cgroup_oom_kills": 0,
        }
        cell_limits = limits
        if self._cgroup is not None and not ended_before:
            # a process of the session the cgroup's OOM killer took during the cell
            counts = self._cgroup.oom_counts()
            kills = sum(max(n - self._oom_base.get(run, 0), 0) for run, n in counts.items())
            if kills > self._oom_seen:
                raw["cgroup_oom_kills"] = kills - self._oom_seen
                self._oom_seen = kills
        if streams.timed_out:
            raw.update(exit_code=None, signal=signal.SIGKILL)
        elif ended_before and final is not None:
            # the session ended under the cell: how its run ended says why
            raw.update({key: final[key] for key in ("exit_code", "signal", "setup_error", "timed_out",
                                                    "cpu_exceeded", "cgroup_oom_kills", "cancelled")})
            raw["cgroup_memory_peak"] = final["cgroup_memory_peak"]
            if final["timed_out"]:
                cell_limits = self.session_limits  # its lifetime, not the cell's timeout
        mounts = self._launched.options.get("mounts", []) if self._launched is not None else []
        result = interpret(raw, namespaces=self._namespaces, nonce=nonce, mode="source",  # type: ignore[arg-type]
                           validated=False, mounts=mounts, controllers=self._controllers(), limits=cell_limits,
                           fetch=fetch, strict=True, landlock=self._landlock)
        ended = ended_before or streams.timed_out
        # a limit ends the session, but output over the cap: what was dropped hurt nothing in it
        if not ended and result["limit_exceeded"] not in (None, "output"):
            ended = True
            self._end(f"cell {number} exceeded a limit ({result['limit_exceeded']})", kill=True)
            self._wait_worker(CLOSE_GRACE_S + 60)
        if ended:
            why = self.ended or "it ended"
            note = f"autopoietic: the session ended: {why}; later calls raise SandboxError"
            error = result["error"].replace(f"autopoietic: {CANCELLED}", "").rstrip("\n")
            result["error"] = f"{error}\n{note}" if error else note
            result["success"] = False
            if result["status"] == "ok":
                result["status"] = "error"
        return {**result, "cell": number, "session_ended": ended}

    def _controllers(self) -> list[str]:
        cgroup = self._backend.cgroup
        return list(cgroup.controllers) if cgroup else []


class _Streams:
    """What was read of one cell's pipes."""

    def __init__(self) -> None:
        self.out = [bytearray(), bytearray()]
        self.truncated = [False, False]
        self.verdict = bytearray()
        self.complete = False
        self.ended = False
        self.timed_out = False

    def keep(self, kind: int, chunk: bytes, cap: int, on_output: Callable[[int, bytes], None] | None) -> None:
        kept = chunk[:max(cap - len(self.out[kind]), 0)]
        if len(kept) < len(chunk):
            self.truncated[kind] = True
        if kept:
            self.out[kind] += kept
            if on_output is not None:
                on_output(kind, kept)
