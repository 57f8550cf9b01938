"""Attack: bypass the filter's syscall numbers through another ABI: i386
syscalls via int 0x80 and x32 numbers on x86_64 (their numbers mean other
syscalls than the table's).
Expected: ENOSYS for every one; nothing is killed with a bare SIGSYS."""

import os

import pytest

from attack import SYSCALLS, assert_clear_result

pytestmark = pytest.mark.skipif(os.uname().machine != "x86_64", reason="x86_64 ABIs")

INT80 = """
import ctypes, mmap
code = bytes([0xb8, 0x1a, 0, 0, 0,   # mov eax, 26: ptrace on i386
              0xcd, 0x80,             # int 0x80
              0xc3])                  # ret (eax holds the result)
buf = mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
buf.write(code)
func = ctypes.CFUNCTYPE(ctypes.c_int)(ctypes.addressof(ctypes.c_char.from_buffer(buf)))
print(func())
"""


def test_i386_syscall_through_int80(run):
    result = run(INT80)
    assert_clear_result(result)
    if result["signal"] == 11:
        pytest.skip("this kernel has no IA-32 emulation: int 0x80 faults before any syscall")
    assert result["output"].strip() == "-38", result["error"]  # -ENOSYS
    assert result["signal"] is None


def test_x32_syscall_numbers(run):
    x32_ptrace = 0x40000000 | 101
    result = run(SYSCALLS + f"NR['x32_ptrace'] = {x32_ptrace}\nprint(try_syscall('x32_ptrace', 0, 0, 0, 0))\n")
    assert_clear_result(result)
    assert result["output"].strip() == "38", result["error"]
