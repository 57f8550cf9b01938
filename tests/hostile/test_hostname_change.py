"""Attack: learn and change the hostname.
Expected: the sandbox sees its own name 'sandbox'; sethostname is refused;
the host's hostname is untouched."""

import socket

from attack import assert_clear_result


def test_hostname(run):
    before = socket.gethostname()
    result = run(
        "import socket\n"
        "print(socket.gethostname())\n"
        "try:\n    socket.sethostname('pwned')\n    print('CHANGED')\nexcept OSError as e:\n    print('refused', e.errno)\n"
    )
    assert_clear_result(result)
    assert result["output"].splitlines() == ["sandbox", "refused 1"]
    assert socket.gethostname() == before != "sandbox"
