"""The fork server, executed as ``python -I -S -B -X utf8 -c <this source>
FD`` by ``_forkserver.ForkServer``.

Not imported by the host.  A fresh interpreter with the environment a
sandboxed component gets (no variable of the caller, no site-packages).
The first message on the SOCK_SEQPACKET socket FD is ``marshal`` of
``(EXTENSION, RUNNER, PPID)``: it loads the extension from the path
EXTENSION, ties its life to the caller (PR_SET_PDEATHSIG, then a check that
PPID is still its parent), imports what components commonly use, compiles
the runner source RUNNER, says ``ready`` and answers requests one at a
time, in this single thread.

A request is one message: ``marshal`` of ``{"args": (argv, env, cwd),
"kwargs": {...}}`` (the arguments of ``_sandbox.prepare``) with five fds
attached: the child ends of the caller's stdout, stderr, nonce and verdict
pipes, and the sealed memfd of the source.  ``_sandbox.prepare`` clones a
sandbox whose main process waits; ``go`` hands it the five fds, ``wait``
enforces the limits and reaps it; the result is answered as ``marshal`` of
the dict, without output: the caller reads the pipes itself.  ``prepare`` returns
twice: here, and in the sandbox's main process, which waits in ``enter``
for the go and then becomes the runner.  So no output, verdict or
source of a component ever passes through the server's memory, which every
later sandbox starts as a copy of.  A message that cannot be served is
answered with ``{"server_error": reason}``.  EOF on the socket ends the
server (its prepared sandbox dies with it: PR_SET_PDEATHSIG).
"""

from __future__ import annotations


def _autopoietic_serve() -> None:
    import builtins
    import importlib.util
    import marshal
    import os
    import signal
    import socket
    import sys

    sock = socket.socket(fileno=int(sys.argv[1]))
    hello = sock.recv(1 << 20)
    if not hello:
        return  # the caller is gone
    so_path, runner_source, ppid = marshal.loads(hello)
    spec = importlib.util.spec_from_file_location("autopoietic._sandbox", so_path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load the extension from {so_path!r}")
    extension = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(extension)
    extension.die_with_parent(ppid)

    # What components commonly import, loaded once here rather than per run.
    import collections  # noqa: F401
    import dataclasses  # noqa: F401
    import functools  # noqa: F401
    import json  # noqa: F401
    import logging  # noqa: F401
    import math  # noqa: F401
    import re  # noqa: F401
    import typing  # noqa: F401

    runner = compile(runner_source, "<string>", "exec", dont_inherit=True)
    del hello, runner_source, so_path
    sock.sendall(b"ready")

    # The sandbox of the next run is prepared ahead: made (namespaces, root
    # file system, processes) while the current run goes on.  A request with
    # another configuration replaces it.  Nothing of a request but its
    # configuration (the same for every run of a sandbox object) enters
    # this process; the runner's arguments travel with the nonce (fd 3).
    standby = standby_config = None
    while True:
        try:
            config, fds, _, _ = socket.recv_fds(sock, 1 << 20, 5)
        except OSError:
            return
        if not config:
            return  # the caller closed its end
        current = None
        try:
            if len(fds) != 5:
                raise ValueError(f"a request carries 5 fds, got {len(fds)}")
            if standby is None or config != standby_config:
                if standby is not None:
                    standby.cancel()
                standby = None
                request = marshal.loads(config)
                standby = extension.prepare(*request["args"], **request["kwargs"])
                if standby.in_sandbox:
                    break
                standby_config = config
            current, standby = standby, None
            current.go(tuple(fds))
        except Exception as exc:  # a bad request: answer, keep serving
            result = {"server_error": f"{type(exc).__name__}: {exc}"}
            current = standby_config = None
        for fd in fds:
            os.close(fd)
        if current is not None:
            try:
                request = marshal.loads(config)
                standby = extension.prepare(*request["args"], **request["kwargs"])
            except Exception:
                standby = None  # the next request prepares again and answers why
            else:
                if standby.in_sandbox:
                    break
            result = current.wait()
            current = None
        try:
            sock.sendall(marshal.dumps(result))
        except OSError:
            return
        del result

    # The main process of a prepared sandbox (its namespaces and root are
    # in place, this interpreter was reset after the fork): wait for the
    # run.  enter() closes every fd but 0-5 (the socket's number too) and
    # applies the rlimits, ids, capabilities, no_new_privs and seccomp
    # filter; then this process becomes the runner.
    sock.detach()
    standby.enter()
    signal.signal(signal.SIGINT, signal.default_int_handler)
    sys.modules.pop("autopoietic._sandbox", None)
    main = sys.modules["__main__"].__dict__
    main.clear()
    main.update(__name__="__main__", __doc__=None, __builtins__=builtins, __spec__=None, __loader__=None,
                __package__=None)
    del extension, spec, sock, standby, current, config, fds
    exec(runner, main)


_autopoietic_serve()
