"""Attack: the run's stdin is the caller's sealed memfd (the same open file
description): write to it, change its seals, truncate or grow it, map it
writable, reopen it through /proc; then check that the next run (warm
mode: the next sandbox was prepared while this one ran) sees only its own
stdin and no fd of the previous run.
Expected (held): every change refused; each run reads exactly its own."""

import ast

from attack import assert_clear_result

PROBE = r'''
import fcntl, mmap, os
res = {}
def t(name, f):
    try:
        f()
        res[name] = "done"
    except OSError as e:
        res[name] = e.errno
t("write", lambda: os.write(0, b"X"))
t("pwrite", lambda: os.pwrite(0, b"X", 0))
t("add_seal", lambda: fcntl.fcntl(0, 1033, 0))         # F_ADD_SEALS, F_SEAL_SEAL is set
t("truncate", lambda: os.ftruncate(0, 0))
t("grow", lambda: os.ftruncate(0, 1 << 20))
t("fallocate", lambda: os.posix_fallocate(0, 0, 1 << 20))
t("mmap_write", lambda: mmap.mmap(0, 5, mmap.MAP_SHARED, mmap.PROT_WRITE))
def reopen():
    fd = os.open("/proc/self/fd/0", os.O_RDWR)
    os.write(fd, b"X")
t("reopen_write", reopen)
res["seals"] = fcntl.fcntl(0, 1034)
res["data"] = os.read(0, 100).decode()
print(repr(res))
'''


def test_stdin_cannot_be_changed_and_stays_per_run(run):
    result = run(PROBE, stdin="first run's stdin")
    assert_clear_result(result)
    assert result["success"], result["error"]
    got = ast.literal_eval(result["output"].strip())
    assert got.pop("data") == "first run's stdin"
    assert got.pop("seals") == 15  # SEAL | SHRINK | GROW | WRITE
    assert all(v == 1 for v in got.values()), got  # EPERM each
    second = run("import os, sys\nprint(sys.stdin.read(), sorted(os.listdir('/proc/self/fd')))",
                 stdin="second")
    # a session's cell sees the session's own two more: its socket and /dev/null
    fds = [str(fd) for fd in range(8 if run.kind == "cell" else 6)]
    assert second["output"] == f"second {fds}\n", second
