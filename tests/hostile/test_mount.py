"""Attack: mount a tmpfs or proc, remount the root read-write, bind over /,
chroot and pivot_root out.
Expected: EPERM for every one."""

from attack import SYSCALLS, assert_clear_result


def test_mount_family(run):
    result = run(SYSCALLS + (
        "buf = ctypes.create_string_buffer\n"
        "print(libc.mount(b'none', b'/tmp', b'tmpfs', 0, None) == -1 and ctypes.get_errno())\n"
        "print(libc.mount(None, b'/', None, 32 | 4096, None) == -1 and ctypes.get_errno())\n"  # MS_REMOUNT|MS_BIND
        "print(libc.umount2(b'/proc', 2) == -1 and ctypes.get_errno())\n"
        "print(libc.chroot(b'/tmp') == -1 and ctypes.get_errno())\n"
        "print(try_syscall('pivot_root', 0, 0))\n"
    ))
    assert_clear_result(result)
    assert result["output"].split() == ["1", "1", "1", "1", "1"], result["output"] + result["error"]
