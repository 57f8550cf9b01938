"""The in-sandbox runner, executed as ``python -I -S -B -X utf8 -c <this source>``.

Not imported by the host: sandbox.py reads this file's text and passes it to
the sandboxed interpreter, so nothing of the host's Python state comes along.

fd 3 holds ``NONCE US MODE US FILE US NAME`` (US = 0x1f; read once, then
closed): the per-run nonce and the arguments.  MODE ``component`` runs the
component protocol of SPEC section 5 on the module NAME; MODE ``source``
runs the source as ``__main__``.  ``sys.argv`` is ``[FILE]``.  The source is
read from fd 5, a sealed memfd that holds exactly the UTF-8 bytes the host
validated; they are decoded here and compiled as ``str``, so a PEP 263
coding declaration is ignored.  A copy is written to FILE in the working
directory for tracebacks only.  In warm mode this source runs in a process
forked from the fork server instead of a fresh interpreter; the same fds
hold the same things.

fd 4 receives one verdict: ``nonce US status US stage US limit US
peak_rss_kib US reason``.  The
host believes no line of stdout: a component that prints a fake SUCCESS
line, raises SystemExit or calls ``os._exit(0)`` inside ``run()`` does not
produce an ``ok`` verdict carrying the nonce.
"""

from __future__ import annotations


def _autopoietic_main() -> None:
    import os
    import sys
    import types

    TYPE_CHECKING = False
    if TYPE_CHECKING:  # for mypy only: typing costs a fresh interpreter an import
        from typing import NoReturn

    sep = "\x1f"
    chunks: list[bytes] = []
    while True:
        chunk = os.read(3, 4096)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(3)
    nonce, mode, filename, name = b"".join(chunks).decode("utf-8").split(sep)
    sys.argv = [filename]

    def peak_rss_kib() -> str:
        # VmHWM of this address space (ru_maxrss would include the copy of
        # the caller this process started as, before its exec)
        try:
            with open("/proc/self/status") as status_file:
                for line in status_file:
                    if line.startswith("VmHWM:"):
                        return line.split()[1]
        except BaseException:
            pass
        return "0"

    def verdict(status: str, stage: str = "", limit: str = "", reason: str = "") -> None:
        fields = (nonce, status, stage, limit, peak_rss_kib(), reason[:2000])
        data = sep.join(f.replace(sep, " ") for f in fields).encode("utf-8", "backslashreplace")
        try:
            while data:
                data = data[os.write(4, data):]
            os.close(4)
        except OSError:
            pass

    def limit_of(exc: BaseException | None) -> str:
        """Which resource limit an exception reports ('' for none)."""
        seen = 0
        while exc is not None and seen < 32:
            if isinstance(exc, MemoryError):
                return "memory"
            if isinstance(exc, RuntimeError) and "can't start new thread" in str(exc):
                return "processes"
            if isinstance(exc, OSError):
                # Linux errno values: EFBIG 27, ENOSPC 28, EDQUOT 122 (the
                # scratch tmpfs is full), EMFILE 24, ENFILE 23, EAGAIN 11
                if exc.errno in (27, 28, 122):
                    return "file_size"
                if exc.errno in (23, 24):
                    return "open_files"
                if isinstance(exc, BlockingIOError) and exc.errno == 11:
                    return "processes"
            exc = exc.__cause__ or exc.__context__
            seen += 1
        return ""

    def flush() -> None:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except BaseException:
                pass

    def fail(stage: str, reason: str, exc: BaseException | None = None) -> NoReturn:
        # The verdict goes first: printing may fail (MemoryError, closed fd).
        verdict("error", stage, limit_of(exc), reason)
        try:
            sys.stderr.write("ERROR: %s\n" % reason)
            if exc is not None:
                import traceback

                traceback.print_exception(type(exc), exc, exc.__traceback__)
        except BaseException:
            pass
        flush()
        os._exit(1)

    def finish(code: object) -> NoReturn:
        # What the end of the interpreter does that a script can observe:
        # wait for its non-daemon threads, run its atexit handlers, flush
        # stdio, exit with code.  Then end without tearing the interpreter
        # down (milliseconds of freeing objects nobody will see again).
        try:
            threading = sys.modules.get("threading")
            if threading is not None:
                threading._shutdown()
            import atexit

            atexit._run_exitfuncs()
        except BaseException as exc:
            fail("exit", "interpreter exit raised %s" % describe(exc), exc)
        if code is None:
            code = 0
        elif not isinstance(code, int):
            try:
                sys.stderr.write("%s\n" % (code,))
            except BaseException:
                pass
            code = 1
        flush()
        os._exit(code & 0xFF)

    def describe(exc: BaseException) -> str:
        text = str(exc)
        return "%s: %s" % (type(exc).__name__, text) if text else type(exc).__name__

    try:
        os.lseek(5, 0, 0)
        chunks = []  # reused: the nonce's chunks are done with
        while True:
            chunk = os.read(5, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
        os.close(5)
        data = b"".join(chunks)
        source = data.decode("utf-8")
        code = compile(source, filename, "exec", dont_inherit=True)
    except BaseException as exc:
        fail("load", "cannot load %s: %s" % (filename, describe(exc)), exc)
    try:
        with open(filename, "xb") as f:  # for tracebacks (linecache) only
            f.write(data)
    except OSError:
        pass

    if mode == "source":
        main = types.ModuleType("__main__")
        main.__file__ = filename
        sys.modules["__main__"] = main
        try:
            exec(code, main.__dict__)
        except SystemExit as exc:
            # A script may end itself with sys.exit(): same meaning as in python.
            if exc.code is None or exc.code == 0:
                flush()
                verdict("ok")
                finish(0)
            verdict("error", "run", "", "SystemExit(%r)" % (exc.code,))
            finish(exc.code)
        except BaseException as exc:
            fail("run", describe(exc), exc)
        flush()
        verdict("ok")
        # As at a normal interpreter exit: atexit handlers and non-daemon
        # threads run.
        finish(0)

    module = types.ModuleType(name)
    module.__file__ = filename
    sys.modules[name] = module
    try:
        exec(code, module.__dict__)
    except BaseException as exc:
        fail("load", "component module %s raised %s" % (name, describe(exc)), exc)

    cls = None
    for value in list(module.__dict__.values()):
        if isinstance(value, type) and getattr(value, "__module__", None) == name:
            cls = value
            break
    if cls is None:
        fail("class", "no class is defined in component %s" % name)
    try:
        instance = cls()
    except BaseException as exc:
        fail("instantiate", "%s() raised %s" % (cls.__name__, describe(exc)), exc)
    try:
        missing = [m for m in ("_security_signature", "_generated_in_sandbox") if not hasattr(instance, m)]
    except BaseException as exc:
        fail("markers", "checking the markers raised %s" % describe(exc), exc)
    if missing:
        fail("markers", "%s lacks %s" % (cls.__name__, ", ".join(missing)))
    try:
        instance.run()
    except BaseException as exc:
        # SystemExit and KeyboardInterrupt included: run() did not return.
        fail("run", "%s.run() raised %s" % (cls.__name__, describe(exc)), exc)
    try:
        sys.stdout.write("SUCCESS: Component %s executed successfully\n" % cls.__name__)
    except BaseException as exc:
        fail("report", "cannot write the result: %s" % describe(exc), exc)
    flush()
    verdict("ok")
    # run() returned: the component is done.  Skip interpreter finalisation
    # so nothing the component registered (atexit, threads) changes the exit.
    os._exit(0)


_autopoietic_main()
