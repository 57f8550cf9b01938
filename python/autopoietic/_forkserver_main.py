"""The fork server, executed as ``python -I -S -B -X utf8 -c <this source>
FD`` by ``_forkserver.ForkServer``.

Not imported by the host.  A fresh interpreter with the environment a
sandboxed component gets (no variable of the caller, no site-packages).
The first message on the SOCK_SEQPACKET socket FD is ``marshal`` of
``(EXTENSION, RUNNER, PPID, SYS_PATH, PRELOAD)``: it loads the extension
from a memfd copy of the file EXTENSION (so the host path of the
installation shows in no sandbox's memory map), ties its life to the caller
(PR_SET_PDEATHSIG, then a check that PPID is still its parent), imports
what components commonly use, appends the directories SYS_PATH to
``sys.path`` and imports the modules PRELOAD (the caller's choice; one that
fails to import or starts a thread ends the server with a message naming
it), compiles the runner source RUNNER, says ``ready`` and serves one run
at a time, in this single thread.

A request is one message: ``marshal`` of ``{"args": (argv, env, cwd),
"kwargs": {...}}`` (the arguments of ``_sandbox.prepare``: the sandbox's
configuration, the same for every run of a sandbox object) with six fds
attached: the run's stdin (/dev/null or a sealed memfd), the child ends of
the caller's stdout, stderr, nonce and verdict pipes, and the sealed memfd
of the source.  ``prepare`` clones a sandbox
whose main process waits; ``go`` hands it the six fds; ``wait`` enforces
the limits, reaps it and sends the outcome itself, as a fixed C struct
(``_sandbox.REPLY_FORMAT``) that is zeroed after the send.  The caller
reads output and verdict from its own pipes, and the runner's arguments
travel with the nonce.  So nothing of any run (source, output, verdict,
exit status, times) becomes data of this process, whose memory every later
sandbox starts as a copy of.  A request that cannot be served is answered
with ``struct.pack(REPLY_KIND_FORMAT, REPLY_ERROR)`` followed by the reason
in UTF-8.

While a run goes on, the sandbox of the next one is prepared; a request
with another configuration replaces it.  EOF on the socket ends the
server (its prepared sandbox dies with it: PR_SET_PDEATHSIG).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import CodeType
    from typing import Any


def _autopoietic_serve() -> tuple[Any, CodeType] | None:
    """Serve until EOF (None); in a sandbox's main process, return its
    prepared sandbox and the runner's code."""
    import importlib
    import importlib.machinery
    import importlib.util
    import marshal
    import os
    import socket
    import struct
    import sys

    sock = socket.socket(fileno=int(sys.argv[1]))
    hello = sock.recv(1 << 20)
    if not hello:
        return None  # the caller is gone
    so_path, runner_source, ppid, sys_path, preload = marshal.loads(hello)
    image = os.memfd_create("autopoietic-extension", os.MFD_CLOEXEC)
    with open(so_path, "rb") as so_file:
        data = so_file.read()
    view = memoryview(data)
    while view:
        view = view[os.write(image, view):]
    path = f"/proc/self/fd/{image}"
    loader = importlib.machinery.ExtensionFileLoader("autopoietic._sandbox", path)
    spec = importlib.util.spec_from_file_location("autopoietic._sandbox", path, loader=loader)
    if spec is None:
        raise ImportError(f"cannot load the extension from {so_path!r}")
    extension = importlib.util.module_from_spec(spec)
    loader.exec_module(extension)
    os.close(image)  # the mapping stays
    # One network namespace for every sandbox of this server, made here
    # once instead of one per sandbox (the costliest namespace to make and
    # tear down: docs/benchmarks.md).  The sandboxes share it one run at a
    # time and hold no capability in the user namespace that owns it.  A
    # normal user needs a user namespace for it: this process's own ids,
    # mapped to themselves.  Where the host refuses, each sandbox makes its
    # own as before.
    uid, gid = os.geteuid(), os.getegid()
    try:
        if uid == 0:
            extension.unshare_network()
        else:
            extension.unshare_network(f"{uid} {uid} 1\n", f"{gid} {gid} 1\n")
        shared_network = True
    except OSError:
        shared_network = False
        if os.geteuid() != uid:  # in a user namespace whose maps failed
            raise
    extension.die_with_parent(ppid)

    # What components commonly import, loaded once here rather than per run.
    import collections  # noqa: F401
    import dataclasses  # noqa: F401
    import functools  # noqa: F401
    import json  # noqa: F401
    import logging  # noqa: F401
    import math  # noqa: F401
    import re  # noqa: F401
    import resource  # noqa: F401 - the runner's verdict reads RUSAGE_CHILDREN
    import typing  # noqa: F401

    # The caller's site-packages and modules (AutopoieticSandbox's
    # site_packages and preload).  The server must stay single-threaded
    # (serve() refuses otherwise): BLAS pools are one thread by the
    # environment (_launch.SINGLE_THREADED_POOLS); a module that starts a
    # thread anyway is named.
    sys.path.extend(entry for entry in sys_path if entry not in sys.path)
    for name in preload:
        try:
            importlib.import_module(name)
        except BaseException as exc:
            raise SystemExit(f"preloading {name!r} failed: {type(exc).__name__}: {exc}") from None
        threads = len(os.listdir("/proc/self/task"))
        if threads != 1:
            raise SystemExit(f"preloading {name!r} started {threads - 1} thread(s); the fork server must stay "
                             "single-threaded: leave it out of preload")

    runner = compile(runner_source, "<string>", "exec", dont_inherit=True)
    del hello, runner_source, so_path, ppid, data, view, path, spec, loader, sys_path, preload
    sock.sendall(b"ready")

    # Each configuration's requests are served by extension.serve(), in C;
    # Python only parses a configuration and answers a request it refused.
    def receive() -> tuple[bytes, list[int]]:
        try:
            message, fds, _, _ = socket.recv_fds(sock, 1 << 20, 6)
        except OSError:
            return b"", []
        return message, fds

    message, fds = receive()
    while message:
        handed = False
        try:
            if len(fds) != 6:
                raise ValueError(f"a request carries 6 fds, got {len(fds)}")
            known = marshal.loads(message)
            if shared_network:
                kwargs = known["kwargs"]
                kwargs["namespaces"] = tuple(n for n in kwargs.get("namespaces", ()) if n != "net")
            handed = True  # serve() closes the fds
            served = extension.serve(sock.fileno(), message, tuple(fds), shared_network, *known["args"],
                                     **known["kwargs"])
        except Exception as exc:  # a bad request: answer, keep serving
            if not handed:
                for fd in fds:
                    os.close(fd)
            error = struct.pack(extension.REPLY_KIND_FORMAT, extension.REPLY_ERROR) + (
                f"{type(exc).__name__}: {exc}".encode("utf-8", "replace"))
            try:
                sock.sendall(error)
            except OSError:
                return None
            message, fds = receive()
            continue
        if served is None:
            return None  # the caller closed its end
        if isinstance(served, tuple):
            message, fds = served[0], list(served[1])
            continue
        break
    else:
        return None  # the caller closed its end

    # The main process of a prepared sandbox (its namespaces and root are
    # in place, this interpreter was reset after the fork).
    sock.detach()  # its fd number: closed by enter()
    return served, runner


def _autopoietic_become_runner(sandbox: Any, runner: CodeType) -> None:
    """In a sandbox's main process: wait for the run (enter() sets the ids,
    capabilities, no_new_privs and seccomp filter, waits for the go, then
    closes every fd but 0-5 and applies the rlimits), then run the runner
    as ``__main__``, with no frame of the server below it.  Every page this
    process writes is a copy (docs/benchmarks.md): it imports nothing the
    server has not (``_signal``, not ``signal``, whose import alone wrote
    some 300)."""
    import _signal  # type: ignore[import-not-found]  # (no stub: the C half of signal)
    import builtins
    import sys

    sandbox.enter()
    _signal.signal(_signal.SIGINT, _signal.default_int_handler)
    # prepare() ran no fork hook (Python code, whose writes each sandbox
    # would copy): what they would have reset that a component can see is
    # reset here.  The main thread's native id is the server's
    # host thread id until set; a random module loaded here would share
    # the server's state with every sandbox.
    threading = sys.modules.get("threading")
    if threading is not None:
        threading.main_thread()._set_native_id()
    random = sys.modules.get("random")
    if random is not None:
        random.seed()
    sys.modules.pop("autopoietic._sandbox", None)
    main = sys.modules["__main__"].__dict__
    main.clear()
    main.update(__name__="__main__", __doc__=None, __builtins__=builtins, __spec__=None, __loader__=None,
                __package__=None)
    # this frame stays below the runner's: it keeps no module (the extension
    # above all) for a frame walk to find
    del sandbox, _signal, sys, builtins, threading, random
    exec(runner, main)


_autopoietic_served = _autopoietic_serve()
if _autopoietic_served is not None:
    _autopoietic_become_runner(*_autopoietic_served)
