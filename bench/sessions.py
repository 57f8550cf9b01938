"""Benchmark: sessions and the async pool, side by side with runs.

Part 1, per mode (spawn, warm), in one process per mode and round, rounds
alternating between the modes:

- ``run``: one ``run_source("x = 1")`` (after one warm-up run);
- ``open+cell``: ``session()`` and its first cell ``x = 1`` (after one
  warm-up session: in warm mode the worker thread's fork server exists);
- ``cell``: a later cell of a session, ``x += 1``.

Ratios are to ``run`` of the same mode.

Part 2, warm mode: 50 concurrent ``run_source`` of 1 s sleeps on an
``AsyncSandbox`` (its pool's threads and their fork servers started by a
first batch), the wall time of the batch against the longest run, and the
gaps of a coroutine that ticks every 10 ms meanwhile; then the same batch
with ``max_concurrency`` 10 (a bounded pool queues the rest).

Usage: python bench/sessions.py [--runs N] [--rounds R] [--no-async]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

WORKER = """
import json, sys, time
from autopoietic.sandbox import AutopoieticSandbox
mode, runs = sys.argv[1], int(sys.argv[2])
out = {"run": [], "open+cell": [], "cell": []}
with AutopoieticSandbox(mode=mode, timeout_s=30) as sb:
    sb.run_source("x = 1")
    for _ in range(runs):
        start = time.perf_counter()
        assert sb.run_source("x = 1")["success"]
        out["run"].append(time.perf_counter() - start)
    with sb.session() as s:
        s.run("x = 1")
    for _ in range(max(runs // 4, 3)):
        start = time.perf_counter()
        s = sb.session()
        assert s.run("x = 1")["success"]
        out["open+cell"].append(time.perf_counter() - start)
        for _ in range(4):
            start = time.perf_counter()
            assert s.run("x += 1")["success"]
            out["cell"].append(time.perf_counter() - start)
        s.close()
print(json.dumps(out))
"""

ASYNC = """
import asyncio, json, sys, time
from autopoietic.aio import AsyncSandbox

async def batch(sb, n, seconds):
    ticks, running = [], True
    async def ticker():
        while running:
            ticks.append(time.monotonic())
            await asyncio.sleep(0.01)
    task = asyncio.create_task(ticker())
    start = time.monotonic()
    results = await asyncio.gather(*(sb.run_source(f"import time; time.sleep({seconds})") for _ in range(n)))
    wall = time.monotonic() - start
    running = False
    await task
    assert all(r["success"] for r in results)
    gaps = sorted(b - a for a, b in zip(ticks, ticks[1:]))
    return {"wall": wall, "gap_median": statistics.median(gaps), "gap_p99": gaps[int(len(gaps) * 0.99)],
            "gap_max": gaps[-1]}

import statistics
async def main():
    out = {}
    for concurrency in (50, 10):
        async with AsyncSandbox(mode="warm", timeout_s=30, max_concurrency=concurrency) as sb:
            start = time.monotonic()
            await asyncio.gather(*(sb.run_source("pass") for _ in range(50)))
            first = time.monotonic() - start
            got = await batch(sb, 50, 1.0)
            got["first_batch"] = first
            out[concurrency] = got
    print(json.dumps(out))

asyncio.run(main())
"""


def _worker(source: str, *args: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", source, *args], capture_output=True, text=True, timeout=900,
                          cwd="/")
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-2000:])
    return json.loads(proc.stdout.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40, help="runs per mode and round (default 40)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds, modes alternating (default 3)")
    parser.add_argument("--no-async", action="store_true", help="leave out part 2")
    args = parser.parse_args()
    times: dict[str, dict[str, list[float]]] = {"spawn": {}, "warm": {}}
    for _ in range(args.rounds):
        for mode in times:
            for key, values in _worker(WORKER, mode, str(args.runs)).items():
                times[mode].setdefault(key, []).extend(values)
    print(f"sessions: {os.cpu_count()} CPUs, euid {os.geteuid()}, {args.rounds} rounds")
    print(f"{'mode':<6} {'what':<10} {'n':>5} {'median ms':>10} {'p95 ms':>8} {'ratio':>6}")
    for mode, rows in times.items():
        base = statistics.median(rows["run"])
        for key, values in rows.items():
            t = sorted(values)
            print(f"{mode:<6} {key:<10} {len(t):>5} {statistics.median(t) * 1000:>10.2f} "
                  f"{t[int(len(t) * 0.95) - 1] * 1000:>8.2f} {statistics.median(t) / base:>5.2f}x")
    if args.no_async:
        return
    got = _worker(ASYNC)
    print("async (warm): 50 concurrent runs of a 1 s sleep")
    print(f"{'pool':>5} {'first batch s':>14} {'batch s':>8} {'tick gap median ms':>19} {'p99 ms':>7} {'max ms':>7}")
    for pool, row in got.items():
        print(f"{pool:>5} {row['first_batch']:>14.2f} {row['wall']:>8.2f} {row['gap_median'] * 1000:>19.1f} "
              f"{row['gap_p99'] * 1000:>7.1f} {row['gap_max'] * 1000:>7.1f}")


if __name__ == "__main__":
    main()
