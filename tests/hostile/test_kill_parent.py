"""Attack: kill the sandbox's parent (its init) and the caller.
Expected: init (pid 1 of the namespace) ignores signals from inside; the
caller is out of reach; the run ends normally with a clear dict."""

import os

from attack import assert_clear_result


def test_kill_parent(run):
    result = run(
        "import os, signal\n"
        "print('ppid', os.getppid())\n"
        "for sig in (signal.SIGKILL, signal.SIGTERM, signal.SIGSTOP):\n"
        "    try:\n        os.kill(os.getppid(), sig)\n"  # ignored by pid 1, or refused (another uid)
        "    except PermissionError:\n        pass\n"
        f"try:\n    os.kill({os.getpid()}, signal.SIGKILL)\nexcept ProcessLookupError:\n    print('caller unreachable')\n"
        "print('done')\n"
    )
    assert_clear_result(result)
    assert result["success"] is True, result["error"]
    assert result["output"].splitlines()[0] == "ppid 1"
    assert "done" in result["output"]
