"""Attack: hold memory outside RLIMIT_AS: SysV shared memory segments
(detached after filling), POSIX message queues, memfds, and socketpairs of
other families; use up the caller's per-user inotify instances and
fanotify groups.
Expected: each is refused (seccomp EPERM, RLIMIT_MSGQUEUE 0); AF_UNIX
socketpairs still work."""

from attack import SYSCALLS, assert_clear_result


def test_memory_outside_rlimit_as(run):
    result = run(SYSCALLS + (
        "IPC_PRIVATE, IPC_CREAT = 0, 0o1000\n"
        "print('shmget', try_syscall('shmget', IPC_PRIVATE, 64 << 20, IPC_CREAT | 0o600))\n"
        "print('msgget', try_syscall('msgget', IPC_PRIVATE, IPC_CREAT | 0o600))\n"
        "print('semget', try_syscall('semget', IPC_PRIVATE, 1, IPC_CREAT | 0o600))\n"
        "name = ctypes.create_string_buffer(b'/q')\n"
        "print('mq_open', try_syscall('mq_open', ctypes.addressof(name), 0o100 | 2, 0o600, 0))\n"
        "print('memfd_create', try_syscall('memfd_create', ctypes.addressof(name), 0))\n"
        "print('inotify_init1', try_syscall('inotify_init1', 0))\n"
        "print('fanotify_init', try_syscall('fanotify_init', 0, 0))\n"
        "import resource\nprint('msgqueue', resource.getrlimit(resource.RLIMIT_MSGQUEUE))\n"
        "import socket\n"
        "try:\n    socket.socketpair(socket.AF_INET)\n    print('inet pair CREATED')\n"
        "except OSError as e:\n    print('inet pair', e.errno)\n"
        "a, b = socket.socketpair(socket.AF_UNIX)\na.send(b'x')\nprint('unix pair', b.recv(1))\n"
    ))
    assert_clear_result(result)
    lines = result["output"].splitlines()
    assert lines[:7] == ["shmget 1", "msgget 1", "semget 1", "mq_open 1", "memfd_create 1", "inotify_init1 1",
                         "fanotify_init 1"], result["output"] + result["error"]
    assert lines[7] == "msgqueue (0, 0)"
    assert lines[8] == "inet pair 1" and lines[9] == "unix pair b'x'"
