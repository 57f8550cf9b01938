"""Attack: connect to a listener on the host's loopback (TCP and UDP).
Expected: no internet socket can even be created (seccomp: AF_UNIX only),
and the network namespace has no route to the host anyway; the listener
never sees a connection."""

import socket

from attack import assert_clear_result


def test_connect_host_loopback(run):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    try:
        result = run(
            "import socket\n"
            f"for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):\n"
            f"    try:\n"
            f"        s = socket.socket(socket.AF_INET, kind)\n"
            f"        s.settimeout(1)\n"
            f"        s.connect(('127.0.0.1', {port}))\n"
            f"        s.send(b'hello')\n"
            f"        print('CONNECTED')\n"
            f"    except OSError as e:\n"
            f"        print('failed', e.errno)\n"
        )
        assert_clear_result(result)
        assert "CONNECTED" not in result["output"]
        assert result["output"].count("failed 1") == 2  # EPERM from the filter
        try:
            listener.accept()
            raise AssertionError("the host listener accepted a connection")
        except socket.timeout:
            pass
    finally:
        listener.close()
