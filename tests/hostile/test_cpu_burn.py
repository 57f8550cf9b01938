"""Attack: burn CPU from many threads and processes at once, so that no
single process crosses RLIMIT_CPU.
Expected: the parent's CPU check of the whole tree stops it: 'cpu_time'."""

from attack import assert_clear_result, cpu_floor
from helpers import bound


def test_cpu_burn_threads_and_processes(run):
    result = run(
        "import os, threading\n"
        "for _ in range(3):\n"
        "    if os.fork() == 0:\n"
        "        break\n"
        "def burn():\n"
        "    while True:\n        pass\n"
        "for _ in range(4):\n"
        "    threading.Thread(target=burn, daemon=True).start()\n"
        "burn()\n",
        max_cpu_time_seconds=1.0, timeout_s=20,
    )
    assert_clear_result(result)
    assert result["limit_exceeded"] == "cpu_time", result["error"]
    # The check runs in the caller's thread: on a host with CPU to spare it
    # stops the tree within a tick of 1.0 s.  On one overloaded further (6
    # other busy loops or a second test suite on 2 cores) it reached 3.4-4.0
    # s (3.78 s seen in a review): the bound scales with
    # AUTOPOIETIC_TEST_TIME_FACTOR.  Without the check the tree would burn
    # 8 threads' worth until the 20 s timeout.
    assert cpu_floor(run, 1.0) <= result["cpu_time_s"] < bound(3.0)
    assert result["execution_time"] < bound(5)
