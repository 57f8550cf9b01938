"""Attack: overwrite, append to, delete and create files next to a host
file (world-writable, in a world-writable directory).
Expected: the host path does not exist inside; the canary keeps its bytes
and mtime, nothing appears beside it."""

from attack import assert_clear_result


def test_write_and_delete_host_file(run, host_canary):
    target = str(host_canary)
    result = run(
        "import os\n"
        f"for action in ('write', 'append', 'delete', 'create'):\n"
        f"    try:\n"
        f"        if action == 'write': open({target!r}, 'wb').write(b'pwned')\n"
        f"        elif action == 'append': open({target!r}, 'ab').write(b'pwned')\n"
        f"        elif action == 'delete': os.unlink({target!r})\n"
        f"        else: open({target!r} + '.new', 'wb').write(b'x')\n"
        f"        print(action, 'DONE')\n"
        f"    except OSError as e:\n"
        f"        print(action, e.errno)\n"
    )
    assert_clear_result(result)
    assert "DONE" not in result["output"]
    assert len(result["output"].splitlines()) == 4
