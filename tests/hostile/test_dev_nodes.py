"""Attack: reach host devices (/dev/mem, disks, ttys) or create device nodes.
Expected: /dev holds only null, zero, urandom (and the fd link); mknod fails."""

from attack import assert_clear_result


def test_only_three_devices(run):
    result = run(
        "import os, stat\n"
        "print(sorted(os.listdir('/dev')))\n"
        "for node in ('/dev/mem', '/dev/sda', '/dev/vda', '/dev/tty', '/dev/kmsg'):\n"
        "    print(node, os.path.exists(node))\n"
        "try:\n    os.mknod('/tmp/mem', 0o666 | stat.S_IFCHR, os.makedev(1, 1))\n    print('mknod DONE')\n"
        "except OSError as e:\n    print('mknod', e.errno)\n"
        "print(open('/dev/zero', 'rb').read(4), len(open('/dev/urandom', 'rb').read(8)))\n"
    )
    assert_clear_result(result)
    lines = result["output"].splitlines()
    assert lines[0] == "['fd', 'null', 'shm', 'urandom', 'zero']"  # shm: a tmpfs (test_io.py)
    assert all(line.endswith("False") for line in lines[1:6])
    assert lines[6].startswith("mknod ") and "DONE" not in lines[6]
    assert lines[7] == "b'\\x00\\x00\\x00\\x00' 8"
