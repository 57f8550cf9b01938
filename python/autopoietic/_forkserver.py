"""Warm mode: a fork server that clones each sandbox from a loaded interpreter.

``ForkServer`` starts ``_forkserver_main.py`` in a fresh interpreter (exec,
clean environment, no memory of the caller, single-threaded) and sends it
one request per run over a ``SOCK_SEQPACKET`` socketpair.  The caller keeps
the read ends of the sandbox's stdout, stderr and verdict pipes and the
write end of its nonce pipe, and passes only the child ends (and the sealed
memfd of the source) to the server with ``SCM_RIGHTS``: output, verdict and
source never enter the server's memory, which every later sandbox starts as
a copy of.  The server answers with the run's status (exit code, signal,
setup error, times, RSS, the cgroup's peak memory and OOM kills).

Life cycle: the server dies with the thread that started it
(``PR_SET_PDEATHSIG``), with the socket's EOF (``stop()``, garbage
collection, interpreter exit), and a dead server is replaced by the caller
(``AutopoieticSandbox`` keeps one per thread).  A server killed during a
run takes that run's sandbox with it (its init has ``PR_SET_PDEATHSIG``);
the run ends as ``ForkServerDied``.
"""

from __future__ import annotations

import marshal
import os
import select
import shutil
import signal
import socket
import struct
import subprocess
import time
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

from . import _sandbox

if TYPE_CHECKING:
    from ._sandbox import RunResult

_SERVER_SOURCE = Path(__file__).with_name("_forkserver_main.py").read_text(encoding="utf-8")
#: Seconds a new server may take to load and report ready.
START_TIMEOUT_S = 30.0
#: Seconds the caller waits past a run's own wall-clock timeout for the
#: server's answer before it declares the server hung and kills it.
ANSWER_GRACE_S = 30.0
#: How long killing a server waits for its sandboxes to be gone.
KILL_WAIT_S = 10.0
_REPLY_BYTES = 1 << 16
#: what the server sends per run (_sandbox.REPLY_FORMAT, src/_sandbox/wait.h),
#: and the kind every answer starts with
_REPLY = struct.Struct(_sandbox.REPLY_FORMAT)
_KIND = struct.Struct(_sandbox.REPLY_KIND_FORMAT)


def _children(pid: int) -> list[int]:
    """The pids of pid's children (its sandboxes' inits)."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(child) for child in f.read().split()]
    except (OSError, ValueError):
        return []


def _pidfds(pids: list[int]) -> list[int]:
    fds = []
    for pid in pids:
        try:
            fds.append(os.pidfd_open(pid))
        except OSError:
            pass  # gone already
    return fds


class ForkServerError(Exception):
    """The fork server could not be started (the message says why).
    ``transient``: the start failed for want of a resource (process limit,
    memory) and may work later."""

    def __init__(self, message: str, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient


class ForkServerDied(Exception):
    """The fork server died or hung during a run (the message says how)."""


def _stop(proc: subprocess.Popen[bytes], sock: socket.socket, owner_pid: int, directories: list[str]) -> None:
    """Close the socket (the server exits at EOF), reap the server and
    remove its directories; in a forked copy of the owner only drop this
    copy's socket."""
    sock.close()
    if os.getpid() != owner_pid:
        return
    try:
        proc.wait(timeout=1.0)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    for path in directories:
        shutil.rmtree(path, ignore_errors=True)


class ForkServer:
    """One fork server process, used by one thread at a time.

    ``ForkServer(python, runner_source, env, *, sys_path=(), preload=())``
    starts it: ``python`` is the interpreter (of the caller's Python
    version: the extension is loaded into it), ``env`` the environment of
    every sandboxed component, ``sys_path`` directories the server appends
    to its ``sys.path`` (every sandbox inherits it), ``preload`` module
    names it imports before it reports ready (as the caller, outside any
    sandbox: trusted code).  Raises ``ForkServerError`` when it does not
    report ready within ``START_TIMEOUT_S`` seconds, or a preloaded module
    fails to import or starts a thread (the message names it).
    """

    def __init__(self, python: str, runner_source: str, env: Sequence[str], *, sys_path: Sequence[str] = (),
                 preload: Sequence[str] = ()) -> None:
        self.owner_pid = os.getpid()
        #: the caller's per-server data (AutopoieticSandbox: work directory
        #: and mount plan per namespace set)
        self.cache: dict[Any, Any] = {}
        #: directories removed when the server stops
        self.directories: list[str] = []
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        environ = dict(item.split("=", 1) for item in env)
        argv = [python, "-I", "-S", "-B", "-X", "utf8", "-c", _SERVER_SOURCE, str(theirs.fileno())]

        try:
            # start_new_session: the terminal's SIGINT is the caller's to handle
            # stdout and stderr are pipes, like a sandbox's: the interpreter
            # caches what it learns of them at start (seekable, isatty)
            self.proc = subprocess.Popen(argv, env=environ, cwd="/", stdin=subprocess.DEVNULL,
                                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                         pass_fds=(theirs.fileno(),), start_new_session=True)
        except OSError as exc:
            ours.close()
            raise ForkServerError(f"cannot start the fork server: {exc}", transient=True) from exc
        finally:
            theirs.close()
        self.sock = ours
        self._finalizer = weakref.finalize(self, _stop, self.proc, ours, self.owner_pid, self.directories)
        try:
            ours.sendall(marshal.dumps((_sandbox.__file__, runner_source, os.getpid(), tuple(sys_path),
                                        tuple(preload))))
            ready, _, _ = select.select([ours], [], [], START_TIMEOUT_S)
            hello = ours.recv(16) if ready else b""
        except OSError:
            hello = b""
        assert self.proc.stderr is not None and self.proc.stdout is not None
        if hello != b"ready":
            self.proc.kill()
            self.proc.wait()
            detail = self.proc.stderr.read().decode("utf-8", "replace").strip()[-2000:]
            self.proc.stderr.close()
            self.proc.stdout.close()
            self._finalizer()
            raise ForkServerError(
                f"the fork server did not start (exit status {self.proc.returncode}): {detail or 'no message'}")
        # the server writes nothing more: a write would fail with EPIPE
        self.proc.stderr.close()
        self.proc.stdout.close()

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        """True while this process owns a running server."""
        return self._finalizer.alive and os.getpid() == self.owner_pid and self.proc.poll() is None

    def stop(self) -> None:
        """Shut the server down and reap it.  Safe to call more than once."""
        self._finalizer()

    def _kill(self) -> None:
        """Kill the server and wait (up to KILL_WAIT_S) until its sandboxes
        are gone too: each one's init dies with it (PR_SET_PDEATHSIG) and
        takes its pid namespace down, asynchronously."""
        sandboxes: list[int] = []
        if os.getpid() == self.owner_pid and self.proc.poll() is None:
            sandboxes = _pidfds(_children(self.proc.pid))
            self.proc.send_signal(signal.SIGKILL)
        self.stop()
        try:
            deadline = time.monotonic() + KILL_WAIT_S
            for fd in sandboxes:
                # readable once init exited, which is after every process
                # of its pid namespace was
                select.select([fd], [], [], max(deadline - time.monotonic(), 0))
        finally:
            for fd in sandboxes:
                os.close(fd)

    def run(self, args: tuple[Sequence[str], Sequence[str], str], kwargs: dict[str, Any], source_fd: int,
            nonce: bytes, output_limit: int, timeout_s: float, cancel_fd: int, stdin_fd: int,
            verdict_limit: int, on_output: Callable[[int, bytes], object] | None = None) -> RunResult:
        """One sandbox run: the same dict as ``_sandbox.run(*args, nonce=nonce,
        source_fd=source_fd, cancel_fd=cancel_fd, stdin_fd=stdin_fd,
        verdict_limit=verdict_limit, on_output=on_output, **kwargs)`` (an
        exception of on_output kills the server, and the sandbox with it).  Only ``args``
        and ``kwargs`` (the configuration, the same for every run of a
        sandbox object) reach the server; ``nonce`` is written into the pipe
        of fd 3 here.  When ``cancel_fd`` becomes readable or hangs up, the
        server is killed, and the sandbox with it: ``cancelled`` is True.

        Raises ``ForkServerDied`` when the server dies or does not answer
        within ``timeout_s + ANSWER_GRACE_S`` seconds (it is killed, and with
        it the sandbox), ``ValueError`` for a request the server refused, and
        ``KeyboardInterrupt`` (after killing the server) on SIGINT.
        """
        if len(nonce) > _sandbox.NONCE_MAX:
            raise ValueError(f"nonce must be {_sandbox.NONCE_MAX} bytes at most")
        pipes: list[tuple[int, int]] = []
        # the sandbox's fd 0: the caller's stdin fd, or its own /dev/null
        stdin = os.open("/dev/null", os.O_RDWR | os.O_CLOEXEC) if stdin_fd < 0 else os.dup(stdin_fd)
        pipes.append((stdin, -1))
        try:
            for _ in range(4):
                pipes.append(os.pipe2(os.O_CLOEXEC))
            _, (out_r, out_w), (err_r, err_w), (nonce_r, nonce_w), (verdict_r, verdict_w) = pipes
            os.write(nonce_w, nonce)  # fits the empty pipe in one write
            request = marshal.dumps({"args": args, "kwargs": kwargs})
            started = time.monotonic()
            try:
                socket.send_fds(self.sock, [request], [stdin, out_w, err_w, nonce_r, verdict_w, source_fd])
            except OSError as exc:
                self._kill()
                raise ForkServerDied(f"the fork server is gone ({exc})") from exc
        except BaseException:
            for pair in pipes:
                for fd in pair:
                    if fd >= 0:
                        os.close(fd)
            raise
        for fd in (stdin, out_w, err_w, nonce_w, nonce_r, verdict_w):
            os.close(fd)
        try:
            # collect() owns and closes the three read ends
            got = _sandbox.collect(self.sock.fileno(), out_r, err_r, verdict_r, output_limit=output_limit,
                                   wait_s=timeout_s + ANSWER_GRACE_S, cancel_fd=cancel_fd,
                                   verdict_limit=verdict_limit, on_output=on_output)
        except BaseException:
            self._kill()  # KeyboardInterrupt: the sandbox dies with the server
            raise
        if got["cancelled"]:
            self._kill()
            return _sandbox.result(got, None, wall_s=time.monotonic() - started)
        if not got["replied"]:
            self._kill()
            raise ForkServerDied(f"the fork server did not answer within {timeout_s + ANSWER_GRACE_S:g} s; "
                                 "it was killed, and the sandbox with it")
        try:
            reply = self.sock.recv(_REPLY_BYTES)
        except OSError:
            reply = b""
        if not reply:
            self.proc.wait()
            status = self.proc.returncode
            how = f"killed by signal {-status}" if status < 0 else f"exit status {status}"
            self.stop()
            raise ForkServerDied(f"the fork server died during the run ({how}); the sandbox died with it")
        kind = _KIND.unpack_from(reply)[0] if len(reply) >= _KIND.size else 0
        if kind == _sandbox.REPLY_ERROR:
            reason = reply[_KIND.size:].decode("utf-8", "replace")
            raise ValueError(f"the fork server refused the request: {reason}")
        if kind != _sandbox.REPLY_RESULT or len(reply) != _REPLY.size:
            self._kill()
            raise ForkServerDied("the fork server sent a malformed answer; it was killed")
        # the result dict is built in C, as in spawn mode (RESULT_KEYS)
        return _sandbox.result(got, reply)
