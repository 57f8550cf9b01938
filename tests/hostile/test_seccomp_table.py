"""Attack: every syscall of the seccomp deny table, called raw, entry by
entry (bubblewrap's try-syscall approach), once per sandbox.
Expected: EPERM for each, and the interpreter keeps working."""

from attack import SYSCALLS, assert_clear_result

DENIED = ["ptrace", "mount", "umount2", "pivot_root", "chroot", "unshare", "setns", "keyctl", "add_key",
          "request_key", "bpf", "userfaultfd", "io_uring_setup", "perf_event_open", "kexec_load", "init_module",
          "finit_module", "delete_module", "reboot", "swapon", "swapoff", "syslog", "acct", "settimeofday",
          "clock_settime", "adjtimex", "process_vm_readv", "process_vm_writev", "open_by_handle_at",
          "name_to_handle_at", "sethostname", "quotactl", "shmget", "msgget", "semget", "mq_open", "memfd_create",
          "inotify_init1", "fanotify_init"]


def test_every_denied_syscall(run):
    result = run(SYSCALLS + f"for name in {DENIED!r}:\n    print(name, try_syscall(name, 0, 0, 0, 0, 0))\n")
    assert_clear_result(result)
    got = dict(line.split() for line in result["output"].splitlines())
    assert got == {name: "1" for name in DENIED}, result["error"]
