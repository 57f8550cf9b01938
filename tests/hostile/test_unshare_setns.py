"""Attack: leave the sandbox's namespaces: unshare a new user namespace
(to regain capabilities), setns into init's namespaces, clone with
namespace flags, clone3.
Expected: EPERM (clone3: ENOSYS, so libc falls back to clone)."""

from attack import SYSCALLS, assert_clear_result


def test_unshare_setns_clone(run):
    result = run(SYSCALLS + (
        "CLONE_NEWUSER, CLONE_NEWNS, CLONE_NEWNET = 0x10000000, 0x00020000, 0x40000000\n"
        "print(try_syscall('unshare', CLONE_NEWUSER))\n"
        "print(try_syscall('unshare', CLONE_NEWNS))\n"
        "fd = os.open('/proc/1/ns/mnt', os.O_RDONLY) if os.access('/proc/1/ns/mnt', os.R_OK) else -1\n"
        "print(try_syscall('setns', fd, 0) if fd >= 0 else 'no-access')\n"
        "print(try_syscall('clone', CLONE_NEWUSER | 17, 0, 0, 0, 0))\n"
        "print(try_syscall('clone', CLONE_NEWNET | 17, 0, 0, 0, 0))\n"
        "print(try_syscall('clone3', 0, 0))\n"
        "import threading\n"
        "t = threading.Thread(target=lambda: None); t.start(); t.join(); print('threads ok')\n"
        "pid = os.fork()\n"
        "if pid == 0: os._exit(0)\n"
        "os.waitpid(pid, 0); print('fork ok')\n"
    ))
    assert_clear_result(result)
    lines = result["output"].split()
    assert lines[:2] == ["1", "1"], result["error"]
    assert lines[2] in ("1", "no-access")
    assert lines[3:6] == ["1", "1", "38"]  # EPERM, EPERM, ENOSYS
    assert lines[6:] == ["threads", "ok", "fork", "ok"]
