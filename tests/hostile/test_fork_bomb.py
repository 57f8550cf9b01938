"""Attack: a fork bomb.
Expected: RLIMIT_NPROC stops it (limit_exceeded 'processes'), the host stays
responsive, and no process of it is left afterwards."""

import time

from attack import assert_clear_result, token
from helpers import bound, host_processes_with


def test_fork_bomb(run):
    marker = token()
    start = time.monotonic()
    result = run(
        "import os, sys\n"
        f"MARK = {marker!r}\n"
        "children = 0\n"
        "while True:\n"
        "    pid = os.fork()\n"
        "    if pid == 0:\n"
        "        os.execv(sys.executable, [sys.executable, '-c', 'import time; time.sleep(60)', MARK])\n"
        "    children += 1\n",
        max_processes=32, timeout_s=60,
    )
    assert_clear_result(result)
    assert result["limit_exceeded"] == "processes", result["error"]
    assert result["success"] is False
    assert time.monotonic() - start < bound(15)  # stopped by RLIMIT_NPROC, not the 60 s timeout
    assert host_processes_with(marker) == []
