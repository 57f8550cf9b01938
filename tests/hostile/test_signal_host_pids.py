"""Attack: SIGKILL a host process by pid, every pid, and the process group.
Expected: the host process survives; the sandbox only reaches itself."""

from attack import assert_clear_result


def test_signal_host_pids(run, host_sleeper):
    result = run(
        "import os, signal\n"
        f"for target in ({host_sleeper.pid}, {host_sleeper.pid} + 1):\n"
        "    try:\n        os.kill(target, signal.SIGKILL)\n        print('sent', target)\n"
        "    except OSError as e:\n        print('failed', e.errno)\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "try:\n    os.kill(-1, signal.SIGTERM)\nexcept OSError as e:\n    print('kill -1', e.errno)\n"
        "print('still here')\n"
    )
    assert_clear_result(result)
    assert "still here" in result["output"]
    # host_sleeper's teardown asserts it is alive
