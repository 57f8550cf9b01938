"""Attack: two sandboxes running at once talk over an abstract unix socket
(the abstract namespace is per network namespace).
Expected: the second cannot reach the first (connection refused)."""

import threading
import time

from attack import assert_clear_result, token


def test_abstract_socket_between_sandboxes(run):
    name = token()
    results = {}

    def server():
        results["server"] = run(
            "import socket, time\n"
            "s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\n"
            f"s.bind('\\0{name}')\n"
            "s.listen(1)\n"
            "s.settimeout(3)\n"
            "try:\n    s.accept()\n    print('ACCEPTED')\nexcept socket.timeout:\n    print('nobody came')\n"
        )

    thread = threading.Thread(target=server)
    thread.start()
    time.sleep(1.0)  # the server is listening
    results["client"] = run(
        "import socket\n"
        "c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\n"
        f"try:\n    c.connect('\\0{name}')\n    print('CONNECTED')\n"
        "except OSError as e:\n    print('failed', e.errno)\n"
    )
    thread.join()
    assert_clear_result(results["client"])
    assert_clear_result(results["server"])
    assert results["client"]["output"].strip() == "failed 111"  # ECONNREFUSED
    assert results["server"]["output"].strip() == "nobody came"
