"""Attack: change the execution domain (personality), e.g. turn off ASLR
(ADDR_NO_RANDOMIZE) for an exploit.
Expected: EPERM; querying the personality still works."""

from attack import SYSCALLS, assert_clear_result


def test_personality(run):
    result = run(SYSCALLS + (
        "ADDR_NO_RANDOMIZE = 0x0040000\n"
        "print(try_syscall('personality', ADDR_NO_RANDOMIZE))\n"
        "print(try_syscall('personality', 0xffffffff))\n"
    ))
    assert_clear_result(result)
    assert result["output"].split() == ["1", "0"], result["error"]
