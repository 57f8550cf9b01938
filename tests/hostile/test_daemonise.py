"""Attack: daemonise with double fork and setsid, then outlive the run.
Expected: nothing of it survives the run (checked in the host's process list)."""

import textwrap

from attack import assert_clear_result, token
from helpers import READY_DAEMON, host_processes_with


def test_daemonise_double_fork(run):
    marker = token()
    result = run(textwrap.dedent(f"""
        import os, sys
        r, w = os.pipe()
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                os.chdir("/")
                os.set_inheritable(w, True)
                os.execv(sys.executable, [sys.executable, "-c", {READY_DAEMON!r}, str(w), "{marker}"])
            os._exit(0)
        os.close(w)
        print("daemon", os.read(r, 1).decode(), "parent exits")  # it is up and running
    """))
    assert_clear_result(result)
    assert result["success"] is True, result["error"]
    assert result["output"] == "daemon r parent exits\n"
    assert host_processes_with(marker) == []
