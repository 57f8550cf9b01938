"""Benchmark: what a run costs on each rung of the fallback ladder, side by side.

Rows: the full namespace rung (this host as it is) and the landlock rung
(the same host under a seccomp filter that refuses namespaces, as Docker's
default profile does: tests/helpers/restrict.py), each in spawn and warm
mode.  Each row runs in a process of its own, in rounds that alternate
between the rows, so a noisy moment of the machine falls on all of them.
Per row: median and p95 wall time of one `run_source("print(1)")` as the
caller sees it, after one warm-up run.  Ratios are to the namespace rung of
the same mode.

Usage: python bench/rungs.py [--runs N] [--rounds R]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESTRICT = str(ROOT / "tests" / "helpers" / "restrict.py")

WORKER = """
import json, sys, time
from autopoietic.sandbox import AutopoieticSandbox
mode, runs = sys.argv[1], int(sys.argv[2])
with AutopoieticSandbox(mode=mode, timeout_s=30) as sb:
    first = sb.run_source("print(1)")
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = sb.run_source("print(1)")
        times.append(time.perf_counter() - start)
        assert result["success"], result["error"]
print(json.dumps({"isolation": first["isolation"], "times": times}))
"""


def _row(rung: str, mode: str, runs: int) -> dict:
    command = [sys.executable, "-c", WORKER, mode, str(runs)]
    if rung == "landlock":
        command = [sys.executable, RESTRICT, "docker", "--", *command]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd="/")
    if proc.returncode != 0:
        raise SystemExit(f"{rung} {mode}: {proc.stderr[-2000:]}")
    return json.loads(proc.stdout.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40, help="runs per row and round (default 40)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds, rows alternating (default 3)")
    args = parser.parse_args()
    rows = [(rung, mode) for mode in ("spawn", "warm") for rung in ("namespaces", "landlock")]
    times: dict[tuple[str, str], list[float]] = {row: [] for row in rows}
    isolation: dict[tuple[str, str], str] = {}
    for _ in range(args.rounds):
        for row in rows:
            got = _row(*row, args.runs)
            times[row] += got["times"]
            isolation[row] = got["isolation"]
    print(f"rungs: {os.cpu_count()} CPUs, euid {os.geteuid()}, {args.rounds} rounds x {args.runs} runs per row")
    print(f"{'rung':<12} {'mode':<6} {'isolation':<20} {'median ms':>10} {'p95 ms':>8} {'ratio':>6}")
    for rung, mode in rows:
        t = sorted(times[(rung, mode)])
        median = statistics.median(t) * 1000
        p95 = t[int(len(t) * 0.95) - 1] * 1000
        base = statistics.median(times[("namespaces", mode)]) * 1000
        print(f"{rung:<12} {mode:<6} {isolation[(rung, mode)]:<20} {median:>10.2f} {p95:>8.2f} "
              f"{median / base:>5.2f}x")


if __name__ == "__main__":
    main()
