"""Attack: push characters into the caller's terminal with TIOCSTI (or
TIOCLINUX), on every fd the sandbox holds.
Expected: EPERM from the filter (stdin is /dev/null in any case)."""

from attack import SYSCALLS, assert_clear_result


def test_tiocsti(run):
    result = run(SYSCALLS + (
        "import fcntl, termios\n"
        "ch = ctypes.c_char(b'x')\n"
        "for fd in (0, 1, 2):\n"
        "    print(try_syscall('ioctl', fd, termios.TIOCSTI, ctypes.addressof(ch)))\n"
        "print(try_syscall('ioctl', 0, 0x541C, 0))\n"
        "print(os.isatty(0), os.isatty(1))\n"
    ))
    assert_clear_result(result)
    assert result["output"].split() == ["1", "1", "1", "1", "False", "False"], result["error"]
