"""The in-sandbox runner, executed as ``python -I -S -B -X utf8 -c <this source>``.

Not imported by the host: _launch.py reads this file's text and passes it to
the sandboxed interpreter, so nothing of the host's Python state comes along.

fd 3 holds the length of the arguments in 8 ASCII digits, the arguments
``MODE US FILE US NAME US MARKERS US SOURCE_LENGTH US EXTRAS_LENGTH`` (US =
0x1f; MARKERS: the attribute names the component's class must carry,
comma-separated), then the per-run nonce.  MODE ``component`` runs the component protocol (docs/api.md, "The
component protocol") on the module NAME; MODE ``source`` runs the source as
``__main__``.  MODE ``session`` starts a session (docs/api.md, "Sessions"):
its fd 0 is a ``SOCK_SEQPACKET`` socket on which each message brings the
six fds of one cell, MODE ``cell``; they are put in place as fds 0-5 and the
cell runs as a run of a script would, in the session's one ``__main__``,
and its verdict is written as below; between cells fds 0-5 are
``/dev/null``.  The session ends when the socket does.  ``sys.argv`` is
``[FILE]``.  The source is read from fd 5, a sealed memfd whose first
SOURCE_LENGTH bytes are exactly the UTF-8 bytes the host validated; they are
decoded here and compiled as ``str``, so a PEP 263 coding declaration is
ignored.  The next EXTRAS_LENGTH bytes are ``marshal`` of the run's extras
(from the host: _files.py checked them): ``files``, (path, size) pairs of
the files written under the working directory before the program starts,
whose bytes follow in fd 5 in that order; ``fetch``, relative paths read
back when it has finished, each up to ``fetch_cap`` bytes and all together
up to ``fetch_total``; ``sys_path``, directories appended to ``sys.path``
(bound site-packages).  A copy is written to
FILE in the working directory for tracebacks only.  In warm mode this source
runs in a process forked from the fork server instead of a fresh
interpreter; the same fds hold the same things.

fd 4 receives one verdict (a cell's: its length first, in 10 ASCII digits,
and a seventh field, the session's CPU seconds so far): ``nonce US status US stage US limit US
peak_rss_kib US reason``, then, if paths were to be fetched, RS (0x1e) and
one record per path: a status byte (``_files.FETCH_STATUS``), the length
in 10 ASCII digits, and for status ``f`` that many bytes of the file.  The host believes no line of stdout: a component
that prints a fake SUCCESS line, raises SystemExit or calls ``os._exit(0)``
inside ``run()`` does not produce an ``ok`` verdict carrying the nonce.

Three steps, so that the component's code finds as little as possible by
walking frames (the validator refuses frame sources; this is the layer
behind it): ``_autopoietic_load`` reads the arguments and compiles the
source; ``_autopoietic_execute`` runs the component's code and returns its
outcome as data, with no module, verdict function or nonce in its frame or
in the globals; ``_autopoietic_report`` is only defined afterwards, and
only then is the nonce read from fd 3 (until then it is in the kernel's
pipe buffer, in no memory of this process) and the verdict written.  What
remains reachable by a frame walk is the interpreter itself
(docs/threat-model.md, "Not protected, or only bounded").
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:  # for mypy only: typing costs a fresh interpreter an import
    from typing import Any, NoReturn, Optional, Tuple

    # (status, stage, reason, exception): status "ok" (reason: the line a
    # component prints on success, "" for a script), "exit" (SystemExit
    # with a code) or "error"
    Outcome = Tuple[str, str, str, Optional[BaseException]]


def _autopoietic_read(fd: int, n: int) -> bytes:
    """n bytes of fd, or fewer at its end."""
    import os

    chunks, left = [], n
    while left > 0:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _autopoietic_load() -> tuple[Outcome | None, str, str, str, str, Any, Any]:
    """Arguments and compiled code: (None, mode, filename, name, markers, code,
    fetch), or an error outcome; fetch: (working directory, its (st_dev,
    st_ino), paths, cap of each, cap of all) of the files to read back."""
    import marshal
    import os
    import sys

    read_exactly = _autopoietic_read
    arguments = read_exactly(3, int(read_exactly(3, 8))).decode("utf-8").split("\x1f")
    mode, filename, name, markers, length, extras_length = arguments
    sys.argv = [filename]
    cwd = os.getcwd()
    # the working directory as it is now: fetch reads from this one only
    # (a program may rename it and leave a link in its place)
    here = os.stat(cwd)
    fetch: tuple[str, tuple[int, int], list[str], int, int] = (cwd, (here.st_dev, here.st_ino), [], 0, 0)
    try:
        os.lseek(5, 0, 0)
        data = read_exactly(5, int(length))
        extras = marshal.loads(read_exactly(5, int(extras_length))) if int(extras_length) else {}
        code = compile(data.decode("utf-8"), filename, "exec", dont_inherit=True)
    except BaseException as exc:
        return ("error", "load", "cannot load %s: %s" % (filename, _autopoietic_describe(exc)), exc), \
            mode, filename, name, markers, None, fetch
    sys.path.extend(p for p in extras.get("sys_path", ()) if p not in sys.path)  # bound site-packages
    fetch = fetch[:2] + (extras.get("fetch", []), extras.get("fetch_cap", 0), extras.get("fetch_total", 0))
    path = ""
    try:
        # Into the fresh /work, before any code of the program: nothing to
        # follow yet, but every open refuses a link all the same.  The
        # bytes follow the extras in fd 5, file after file; the kernel
        # copies them (no copy in this process's memory).
        offset = int(length) + int(extras_length)
        for path, size in extras.get("files", ()):
            parts = path.split("/")
            for i in range(1, len(parts)):
                try:
                    os.mkdir("/".join(parts[:i]), 0o755)
                except FileExistsError:
                    pass
            # a cell may replace a file of the session's (never through a link)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
                         | (os.O_TRUNC if mode == "cell" else os.O_EXCL), 0o644)
            try:
                end = offset + size
                while offset < end:
                    sent = os.sendfile(fd, 5, offset, end - offset)
                    if sent == 0:
                        raise EOFError("the input's memfd ended early")
                    offset += sent
            finally:
                os.close(fd)
    except BaseException as exc:
        return ("error", "files", "cannot write the input file %s: %s" % (path, _autopoietic_describe(exc)),
                exc), mode, filename, name, markers, None, fetch
    finally:
        os.close(5)
    del extras
    if mode in ("cell", "session"):  # no file in the session's /work
        if mode == "cell":  # its source for tracebacks
            import linecache

            text = data.decode("utf-8")
            linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
        return None, mode, filename, name, markers, code, fetch
    try:
        with open(filename, "xb") as f:  # for tracebacks (linecache) only
            f.write(data)
    except OSError:
        pass
    return None, mode, filename, name, markers, code, fetch


def _autopoietic_describe(exc: BaseException) -> str:
    text = str(exc)
    return "%s: %s" % (type(exc).__name__, text) if text else type(exc).__name__


def _autopoietic_execute(mode: str, filename: str, name: str, markers: str, code: Any,
                         module: Any = None) -> Outcome:
    """Run the component's code; its outcome as data.  Holds no module but
    the component's own (a cell: the session's ``__main__``, module)."""
    import sys

    modules, module_type = sys.modules, type(sys)
    del sys
    describe = _autopoietic_describe
    if module is None:
        module = module_type(name if mode == "component" else "__main__")
    del module_type
    module.__file__ = filename
    modules[module.__name__] = module
    del modules
    if mode in ("source", "cell"):
        try:
            exec(code, module.__dict__)
        except SystemExit as exc:
            # A script may end itself with sys.exit(): same meaning as in python.
            if exc.code is None or exc.code == 0:
                return "ok", "", "", None
            return "exit", "run", "SystemExit(%r)" % (exc.code,), exc
        except BaseException as exc:
            return "error", "run", describe(exc), exc
        return "ok", "", "", None

    try:
        exec(code, module.__dict__)
    except BaseException as exc:
        return "error", "load", "component module %s raised %s" % (name, describe(exc)), exc
    cls = None
    for value in list(module.__dict__.values()):
        if isinstance(value, type) and getattr(value, "__module__", None) == name:
            cls = value
            break
    if cls is None:
        return "error", "class", "no class is defined in component %s" % name, None
    try:
        instance = cls()
    except BaseException as exc:
        return "error", "instantiate", "%s() raised %s" % (cls.__name__, describe(exc)), exc
    try:
        missing = [m for m in markers.split(",") if not hasattr(instance, m)]
    except BaseException as exc:
        return "error", "markers", "checking the markers raised %s" % describe(exc), exc
    if missing:
        return "error", "markers", "%s lacks %s" % (cls.__name__, ", ".join(missing)), None
    try:
        returned = instance.run()
    except BaseException as exc:
        # SystemExit and KeyboardInterrupt included: run() did not return.
        return "error", "run", "%s.run() raised %s" % (cls.__name__, describe(exc)), exc
    kind = type(returned).__name__
    if kind in ("generator", "coroutine", "async_generator"):
        # run() is a generator or async function: its body has not run
        try:
            returned.close() if kind != "async_generator" else None
        except BaseException:
            pass
        return "error", "run", "%s.run() returned a %s: its body did not run" % (cls.__name__, kind), None
    return "ok", "", "SUCCESS: Component %s executed successfully\n" % cls.__name__, None


_autopoietic_outcome, *_autopoietic_arguments, _autopoietic_fetch = _autopoietic_load()
_autopoietic_session = _autopoietic_arguments[0] == "session"
if _autopoietic_outcome is None and not _autopoietic_session:
    del _autopoietic_load
    _autopoietic_outcome = _autopoietic_execute(*_autopoietic_arguments)
del _autopoietic_arguments


def _autopoietic_report(outcome: Outcome, fetch: tuple[str, tuple[int, int], list[str], int, int],
                        cell: bool = False) -> None:
    """Write the verdict for outcome (with the files of fetch) and end the
    process; a cell's returns instead, the session going on."""
    import os
    import stat
    import sys

    TYPE_CHECKING = False
    if TYPE_CHECKING:
        from typing import NoReturn

    sep = "\x1f"

    def write_all(data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(4, view):]

    def read_file(dir_fd: int, name: str, cap: int) -> tuple[str, int, bytes]:
        """(status, size, data) of the file name in dir_fd: a regular file
        of at most cap bytes only, opened without following a link."""
        mode = os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode
        if stat.S_ISLNK(mode):
            return "s", 0, b""
        if not stat.S_ISREG(mode):
            return "t", 0, b""
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=dir_fd)
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                return "t", 0, b""
            if st.st_size > cap:
                return "b", st.st_size, b""
            data = _autopoietic_read(fd, cap + 1)  # one more: a file that grew since
        finally:
            os.close(fd)
        return ("b", len(data), b"") if len(data) > cap else ("f", len(data), data)

    def send_fetched() -> None:
        """Write the fetch records (see the module's docstring) to fd 4,
        one file at a time: each path is walked from the working directory
        one component at a time, none followed if it is a symbolic link,
        and only a regular file read, while the total stays in budget."""
        cwd, identity, paths, cap, budget = fetch
        if not paths:
            return
        write_all(b"\x1e")
        for path in paths:
            parts = path.split("/")
            status, size, data = "e", 0, b""
            dir_fd = -1
            try:
                dir_fd = os.open(cwd, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
                st = os.fstat(dir_fd)
                if (st.st_dev, st.st_ino) != identity:
                    raise OSError(2, "the working directory was replaced")
                for part in parts[:-1]:
                    if stat.S_ISLNK(os.stat(part, dir_fd=dir_fd, follow_symlinks=False).st_mode):
                        raise OSError(40, "a symbolic link")  # ELOOP
                    next_fd = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC,
                                      dir_fd=dir_fd)
                    os.close(dir_fd)
                    dir_fd = next_fd
                status, size, data = read_file(dir_fd, parts[-1], min(cap, budget))
                if status == "b" and size <= cap:
                    status = "o"  # within the cap, over what is left of the total
            except FileNotFoundError:
                status = "m"
            except OSError as exc:
                status = "s" if exc.errno == 40 else "t" if exc.errno == 20 else "e"  # ELOOP, ENOTDIR
            except BaseException:
                status, size, data = "e", 0, b""
            finally:
                if dir_fd >= 0:
                    os.close(dir_fd)
            if status == "f":
                budget -= size
            write_all(b"%s%010d" % (status.encode("ascii"), size if status in "fb" else 0))
            if data:
                write_all(data)
            del data

    def peak_rss_kib() -> str:
        # VmHWM of this address space (ru_maxrss would include the copy of
        # the caller this process started as, before its exec), or the
        # largest child this process waited for, if larger
        peak = 0
        try:
            with open("/proc/self/status") as status_file:
                for line in status_file:
                    if line.startswith("VmHWM:"):
                        peak = int(line.split()[1])
        except BaseException:
            pass
        try:
            import resource
            peak = max(peak, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
        except BaseException:
            pass
        return str(peak)

    def verdict(status: str, stage: str = "", limit: str = "", reason: str = "") -> None:
        try:
            chunks = []
            while True:  # the rest of fd 3, after the arguments
                chunk = os.read(3, 4096)
                if not chunk:
                    break
                chunks.append(chunk)
            os.close(3)
            nonce = b"".join(chunks).decode("ascii", "replace")
        except OSError:
            nonce = ""
        fields: tuple[str, ...] = (nonce, status, stage, limit, peak_rss_kib(), reason[:2000])
        if cell:
            import resource

            used = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
            fields += ("%.6f" % sum(u.ru_utime + u.ru_stime for u in used),)
        data = sep.join(f.replace(sep, " ").replace("\x1e", " ") for f in fields).encode("utf-8", "backslashreplace")
        if cell:
            data = b"%010d" % len(data) + data
        try:
            write_all(data)
            send_fetched()
            os.close(4)
        except BaseException:
            pass

    def scratch_full() -> bool:
        """Is a scratch file system ($TMPDIR, $HOME) out of blocks or inodes?"""
        for var in ("TMPDIR", "HOME"):
            try:
                st = os.statvfs(os.environ.get(var, "/"))
            except (OSError, ValueError):
                continue
            # a full tmpfs has less than a page free (or no inode)
            if st.f_bavail * st.f_frsize < 65536 or st.f_favail == 0:
                return True
        return False

    def limit_of(exc: BaseException | None) -> str:
        """Which resource limit an exception reports ('' for none)."""
        seen = 0
        while exc is not None and seen < 32:
            if isinstance(exc, MemoryError):
                return "memory"
            if isinstance(exc, RuntimeError) and "can't start new thread" in str(exc):
                return "processes"
            if isinstance(exc, OSError):
                # Linux errno values: EFBIG 27, ENOSPC 28, EDQUOT 122 (a
                # scratch tmpfs is full: ENOSPC also comes from epoll_ctl
                # and others, which are no file size), EMFILE 24, ENFILE
                # 23, EAGAIN 11
                if exc.errno == 27 or (exc.errno in (28, 122) and scratch_full()):
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

    def fail(stage: str, reason: str, exc: BaseException | None = None) -> None:
        # The verdict goes first: printing may fail (MemoryError, closed fd).
        if not cell:
            verdict("error", stage, limit_of(exc), reason)
        try:
            sys.stderr.write("ERROR: %s\n" % reason)
            if exc is not None:
                import traceback

                traceback.print_exception(type(exc), exc, exc.__traceback__)
        except BaseException:
            pass
        flush()
        if cell:  # its output first: the host reads the pipes until the verdict
            verdict("error", stage, limit_of(exc), reason)
            return
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
            fail("exit", "interpreter exit raised %s" % _autopoietic_describe(exc), exc)
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

    status, stage, reason, exc = outcome
    if status == "error":
        fail(stage, reason, exc)
        return
    if status == "exit":
        if cell:  # sys.exit() in a cell ends the cell, not the session
            flush()
            verdict("error", stage, "", reason)
            return
        verdict("error", stage, "", reason)
        finish(exc.code if isinstance(exc, SystemExit) else 1)
    if reason:  # a component: run() returned
        try:
            sys.stdout.write(reason)
        except BaseException as write_exc:
            fail("report", "cannot write the result: %s" % _autopoietic_describe(write_exc), write_exc)
        flush()
        verdict("ok")
        # The component is done.  Skip interpreter finalisation so nothing
        # it registered (atexit, threads) changes the exit.
        os._exit(0)
    # A script: as at a normal interpreter exit, atexit handlers and
    # non-daemon threads run (after the verdict).
    flush()
    verdict("ok")
    if not cell:
        finish(0)


def _autopoietic_serve() -> NoReturn:
    """A session: run each cell the socket on fd 0 brings (see the module's
    docstring) in one ``__main__``, until the socket ends."""
    import fcntl
    import os
    import socket
    import sys

    # the socket above fds 0-5, which stay taken (/dev/null between cells):
    # each cell's fds arrive at 6 and up, then move to 0-5
    control = socket.socket(fileno=fcntl.fcntl(0, fcntl.F_DUPFD_CLOEXEC, 6))
    fd = os.open("/dev/null", os.O_RDWR | os.O_CLOEXEC)
    null = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 6)
    os.close(fd)
    for fd in range(6):
        os.dup2(null, fd)
    main = type(sys)("__main__")
    me = os.getpid()
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(control, 16, 6)
        except OSError:
            break
        if len(fds) != 6 or message != b"cell":
            for fd in fds:
                os.close(fd)
            if not message:
                break  # the host closed the session
            continue
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        del fds
        sys.stdin = open(0, "r", closefd=False, errors=sys.stdin.errors if sys.stdin else "strict")
        outcome, mode, filename, name, markers, code, fetch = _autopoietic_load()
        if outcome is None:
            outcome = _autopoietic_execute(mode, filename, name, markers, code, main)
        del code
        if os.getpid() != me:
            # a child the cell forked came back here (it did not _exit): it
            # is no runner of the session; what it printed goes to its cell
            for stream in (sys.stdout, sys.stderr):
                try:
                    stream.flush()
                except BaseException:
                    pass
            os._exit(0)
        _autopoietic_report(outcome, fetch, True)
        del outcome, fetch
        for fd in range(6):
            os.dup2(null, fd)
    # what a script's end does: threads joined, atexit run, stdio flushed
    sys.stdout.flush()
    os._exit(0)


if _autopoietic_session and _autopoietic_outcome is None:
    _autopoietic_serve()
assert _autopoietic_outcome is not None  # set above unless a session, which never returns
_autopoietic_report(_autopoietic_outcome, _autopoietic_fetch)
