"""Attack: ptrace init (pid 1), itself, and read another process's memory
with process_vm_readv.
Expected: EPERM from the seccomp filter for each."""

from attack import SYSCALLS, assert_clear_result


def test_ptrace_and_process_vm(run):
    result = run(SYSCALLS + (
        "PTRACE_ATTACH, PTRACE_TRACEME = 16, 0\n"
        "print(try_syscall('ptrace', PTRACE_ATTACH, 1, 0, 0))\n"
        "print(try_syscall('ptrace', PTRACE_TRACEME, 0, 0, 0))\n"
        "print(try_syscall('process_vm_readv', 1, 0, 0, 0, 0, 0))\n"
        "print(try_syscall('process_vm_writev', 1, 0, 0, 0, 0, 0))\n"
    ))
    assert_clear_result(result)
    assert result["output"].split() == ["1", "1", "1", "1"], result["error"]
