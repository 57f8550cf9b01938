"""Attack: never end (sleep, block on a pipe, ignore SIGTERM, stop itself).
Expected: the wall-clock timeout kills the whole tree on time."""

import pytest

from helpers import bound


SOURCES = {
    "sleep": "import time\ntime.sleep(3600)",
    "block": "import os\nr, w = os.pipe()\nos.read(r, 1)",
    "ignore-signals": "import signal, time\nfor s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):\n"
                      "    signal.signal(s, signal.SIG_IGN)\ntime.sleep(3600)",
    "stop-self": "import os, signal\nos.kill(os.getpid(), signal.SIGSTOP)",
}


# each takes its 1 s timeout: two kinds in the fast tier, all four in make test-all
FAST = {"sleep", "ignore-signals"}


@pytest.mark.parametrize("kind", [k if k in FAST else pytest.param(k, marks=pytest.mark.slow) for k in sorted(SOURCES)])
def test_sleep_forever(run, kind):
    result = run(SOURCES[kind], timeout_s=1.0)
    assert result["timed_out"] is True
    assert result["isolation"] == "unshare-namespaces-timeout"
    assert result["limit_exceeded"] == "wall_time"
    assert 1.0 <= result["execution_time"] < bound(3.0)  # not the hour it asks for
