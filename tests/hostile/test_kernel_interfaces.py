"""Attack: the kernel's large attack surfaces: keyctl/add_key (kernel
keyrings), bpf, userfaultfd (race amplification), io_uring, perf_event_open.
Expected: EPERM for each."""

import pytest

from attack import SYSCALLS, assert_clear_result

CASES = {
    "keyctl": "try_syscall('keyctl', 0, 0, 0, 0)",
    "add_key": "try_syscall('add_key', 0, 0, 0, 0, 0)",
    "request_key": "try_syscall('request_key', 0, 0, 0, 0)",
    "bpf": "try_syscall('bpf', 0, 0, 0)",
    "userfaultfd": "try_syscall('userfaultfd', 0)",
    "io_uring_setup": "try_syscall('io_uring_setup', 1, 0)",
    "perf_event_open": "try_syscall('perf_event_open', 0, 0, -1, -1, 0)",
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_kernel_interface_refused(run, name):
    result = run(SYSCALLS + f"print({CASES[name]})\n")
    assert_clear_result(result)
    assert result["output"].strip() == "1", (name, result["output"], result["error"])
