"""Attack: daemonise with double fork and setsid, then outlive the run.
Expected: nothing of it survives the run (checked in the host's process list)."""

import textwrap

from attack import assert_clear_result, token
from helpers import host_processes_with


def test_daemonise_double_fork(run):
    marker = token()
    result = run(textwrap.dedent(f"""
        import os, sys, time
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                os.chdir("/")
                os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(120)", "{marker}"])
            os._exit(0)
        time.sleep(0.3)
        print("parent exits")
    """))
    assert_clear_result(result)
    assert result["success"] is True, result["error"]
    assert host_processes_with(marker) == []
