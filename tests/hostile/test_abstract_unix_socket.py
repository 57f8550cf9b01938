"""Attack: two sandboxes running at once talk over an abstract unix socket
(the abstract namespace is per network namespace).
Expected: the second cannot reach the first (connection refused)."""

import os
import signal
import threading

from attack import assert_clear_result, token
from helpers import announce, bound, ready_token, wait_ready


def test_abstract_socket_between_sandboxes(run):
    name = token()
    ready = ready_token()
    results = {}

    def server():
        # listens, says so, and waits for a connection until SIGUSR1 (or a
        # bound); prints when it stopped waiting
        results["server"] = run(
            "import signal, socket, time\n"
            "class Stop(Exception):\n    pass\n"
            "def stop(*_):\n    raise Stop\n"
            "signal.signal(signal.SIGUSR1, stop)\n"
            "s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\n"
            f"s.bind('\\0{name}')\n"
            "s.listen(1)\n"
            f"s.settimeout({bound(10.0)})\n"
            + announce(ready) +
            "try:\n    s.accept()\n    print('ACCEPTED')\nexcept (Stop, socket.timeout):\n    print('nobody came')\n"
            "print(time.monotonic())\n"
        )

    thread = threading.Thread(target=server)
    thread.start()
    (pid,) = wait_ready(ready)  # the server is listening
    results["client"] = run(
        "import socket, time\n"
        "c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\n"
        f"try:\n    c.connect('\\0{name}')\n    print('CONNECTED')\nexcept OSError as e:\n    print('failed', e.errno)\n"
        "print(time.monotonic())\n"
    )
    os.kill(pid, signal.SIGUSR1)  # the client is done: stop waiting
    thread.join()
    assert_clear_result(results["client"])
    assert_clear_result(results["server"])
    client, tried_at = results["client"]["output"].splitlines()
    server, stopped_at = results["server"]["output"].splitlines()
    assert client == "failed 111"  # ECONNREFUSED
    assert server == "nobody came"
    # the client tried while the server listened (CLOCK_MONOTONIC is the host's)
    assert float(tried_at) < float(stopped_at)
