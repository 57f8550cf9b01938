"""Attack: read init's memory, environment and fds through /proc/1, and the
host's through /proc/<host pid>.
Expected: permission denied (init is not dumpable) or absent."""

import os

from attack import assert_clear_result


def test_parent_memory_via_proc(run):
    result = run(
        "import os\n"
        f"for path in ('/proc/1/mem', '/proc/1/environ', '/proc/1/maps', '/proc/1/root/', '/proc/{os.getpid()}/mem'):\n"
        "    try:\n"
        "        if path.endswith('/'):\n            os.listdir(path)\n"
        "        else:\n            open(path, 'rb').read(16)\n"
        "        print(path, 'READ')\n"
        "    except OSError as e:\n"
        "        print(path, e.errno)\n"
        "print(sorted(os.listdir('/proc/1/fd')) if os.access('/proc/1/fd', os.R_OK) else 'fd denied')\n"
    )
    assert_clear_result(result)
    lines = result["output"].splitlines()
    assert all(line.split()[-1] in ("13", "1", "2") for line in lines[:5]), lines  # EACCES, EPERM, ENOENT
    assert lines[5] == "fd denied"
