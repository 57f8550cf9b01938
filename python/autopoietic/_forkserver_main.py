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
"kwargs": {...}, "runner_argv": [...]}`` (the arguments of ``_sandbox.run``
and the runner's ``sys.argv``) with five fds attached: the
child ends of the caller's stdout, stderr, nonce and verdict pipes, and the
sealed memfd of the source.  ``_sandbox.run(warm=True)`` clones the sandbox
and returns twice: here, after the sandbox is reaped, with the result
(answered as ``marshal`` of the dict, without output: the caller reads the
pipes itself), and in the sandboxed main process with ``None``, where this
process becomes the runner.  So no output, verdict or source of a component
ever passes through the server's memory, which every later sandbox starts
as a copy of.  A message that cannot be served is answered with
``{"server_error": reason}``.  EOF on the socket ends the server.
"""


def _autopoietic_serve():
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

    while True:
        try:
            message, fds, _, _ = socket.recv_fds(sock, 1 << 20, 5)
        except OSError:
            return
        if not message:
            return  # the caller closed its end
        request = None
        try:
            if len(fds) != 5:
                raise ValueError(f"a request carries 5 fds, got {len(fds)}")
            request = marshal.loads(message)
            result = extension.run(*request["args"], warm=True, io_fds=tuple(fds[:4]), source_fd=fds[4],
                                   **request["kwargs"])
        except Exception as exc:  # a bad request: answer, keep serving
            result = {"server_error": f"{type(exc).__name__}: {exc}"}
        if result is None:
            break  # in the sandbox
        for fd in fds:
            os.close(fd)
        del message, request
        try:
            sock.sendall(marshal.dumps(result))
        except OSError:
            return

    # The sandboxed main process: namespaces, root, uid, capabilities,
    # no_new_privs, seccomp filter and rlimits are in place; fds 0-5 are the
    # sandbox's and every other fd is closed (the socket's number too).
    sock.detach()
    signal.signal(signal.SIGINT, signal.default_int_handler)
    sys.argv = list(request["runner_argv"])
    sys.modules.pop("autopoietic._sandbox", None)
    main = sys.modules["__main__"].__dict__
    main.clear()
    main.update(__name__="__main__", __doc__=None, __builtins__=builtins, __spec__=None, __loader__=None,
                __package__=None)
    del extension, spec, sock, fds, message, request, result
    exec(runner, main)


_autopoietic_serve()
