"""Attack: read the host's /etc/shadow and /etc/passwd.
Expected: neither exists in the sandbox's root (ENOENT); /etc is absent."""

from attack import assert_clear_result

SOURCE = """
import os
for path in ("/etc/shadow", "/etc/passwd", "/etc"):
    try:
        open(path, "rb").read()
        print(path, "READ")
    except FileNotFoundError:
        print(path, "ENOENT")
    except IsADirectoryError:
        print(path, "EXISTS")
"""


def test_read_etc_shadow_and_passwd(run):
    result = run(SOURCE)
    assert_clear_result(result)
    assert result["output"].split() == ["/etc/shadow", "ENOENT", "/etc/passwd", "ENOENT", "/etc", "ENOENT"]
