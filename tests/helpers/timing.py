"""Time in the tests: one tolerance factor for every upper bound on a
duration, one way to wait for a condition, and readiness signals from
inside a sandbox instead of sleeps.

AUTOPOIETIC_TEST_TIME_FACTOR (default 2) multiplies every upper bound on
a duration (wall time, CPU time) that a test asserts, through ``bound()``.
The default lets the bounds hold on a 2-core host that runs a second test
suite next to this one (test_cpu_burn reached 3.78 s of CPU against 3.0
there); raise it on slower hosts, e.g. AUTOPOIETIC_TEST_TIME_FACTOR=4
under valgrind or an emulator.  Every scaled bound stays below what the
failure it guards against would take (a timeout that never fires, a tree
counted as one process, runs in series instead of in parallel): each test
says which, so a bound can still fail.  Lower bounds (a timeout fired no
earlier than asked) are not scaled: load makes runs longer, not shorter.
"""

from __future__ import annotations

import math
import os
import time
import uuid
from typing import Callable

TIME_FACTOR_ENV = "AUTOPOIETIC_TEST_TIME_FACTOR"
DEFAULT_TIME_FACTOR = 2.0


def _time_factor() -> float:
    raw = os.environ.get(TIME_FACTOR_ENV, "").strip()
    if not raw:
        return DEFAULT_TIME_FACTOR
    factor = float(raw)
    if not math.isfinite(factor) or factor < 1:
        raise ValueError(f"{TIME_FACTOR_ENV} must be a number >= 1, got {raw!r}")
    return factor


TIME_FACTOR = _time_factor()


def bound(seconds: float) -> float:
    """An upper bound on a duration, in seconds, scaled by the tolerance factor."""
    return seconds * TIME_FACTOR


def eventually(predicate: Callable[[], object], timeout: float = 5.0, interval: float = 0.02) -> bool:
    """True as soon as predicate() is true; False if it is still false after
    bound(timeout) seconds.  Use as ``assert eventually(...)``."""
    deadline = time.monotonic() + bound(timeout)
    while True:
        if predicate():
            return True
        if time.monotonic() >= deadline:
            return bool(predicate())
        time.sleep(interval)


# Readiness from inside a sandbox: the component writes a token of its own
# to /proc/self/comm (its thread name, 15 bytes at most, visible in the
# host's /proc/PID/comm through any pid namespace), and the test waits for a
# host process of that name.  Nothing is mocked and no channel is opened
# into the sandbox for it.


#: A daemon that says it runs: ``python -c READY_DAEMON FD TOKEN`` writes
#: one byte (b"r") to FD once it has exec'd (TOKEN on its command line),
#: then sleeps.  No quotes in it, so it nests in quoted sources.
READY_DAEMON = "import os, sys, time; os.write(int(sys.argv[1]), bytes([114])); time.sleep(120)"


def ready_token() -> str:
    """A fresh 15-character thread name."""
    return "rdy" + uuid.uuid4().hex[:12]


def announce(token: str) -> str:
    """Source lines, for run_source, that mark the run ready under token."""
    return f"open('/proc/self/comm', 'w').write({token!r})\n"


def processes_named(token: str) -> list[int]:
    """Host pids whose thread name (comm) is token."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/comm") as comm:
                if comm.read().strip() == token:
                    found.append(int(entry))
        except OSError:
            continue
    return found


def wait_ready(token: str, timeout: float = 20.0) -> list[int]:
    """Wait until a sandboxed process announced token; its host pids."""
    found: list[int] = []

    def seen() -> bool:
        found[:] = processes_named(token)
        return bool(found)

    assert eventually(seen, timeout, interval=0.01), f"no sandboxed process announced {token} in time"
    return found
