"""Benchmark: one isolated component, side by side, in one run.

Rows (the standard synthesized component, `expanded_data_processor`):

- historical: subprocess + `unshare --pid --ipc --uts --net --fork` (with
  `--user --map-root-user` when not root) + the interpreter with site-packages
  and a runner script, as the seed did it;
- bwrap: `bwrap --unshare-all --die-with-parent` over a read-only view of `/`
  + `python -I -S` and the same runner;
- bare interpreter: `python -I -S` + the same runner, no isolation at all;
  and `python -I -S -c "print('SUCCESS')"`, the start of an interpreter alone
  (the floor for anything that starts a fresh interpreter);
- autopoietic spawn: `AutopoieticSandbox(mode="spawn").execute_component`
  (validation, all namespaces, minimal root, seccomp, rlimits, the result
  dict; a fresh interpreter per component);
- autopoietic warm: the same with `mode="warm"` (each sandbox cloned from a
  fork server; one server per calling thread);
- each of the two again with `use_cgroup=False`: what the run's own cgroup
  (whole-tree memory, pids and CPU) costs per run.

Per row: median and p95 latency of one component, and throughput with 1
and 2 threads.  Usage: python bench/execution.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable, Optional

from autopoietic.code_synthesizer import CodeSynthesizer, signed_name
from autopoietic.meta_architect import ComponentSpec
from autopoietic.sandbox import AutopoieticSandbox

# The seed's runner: load the component file, instantiate its first class, run it.
RUNNER = '''
import importlib.util, inspect, sys
spec = importlib.util.spec_from_file_location("component", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
cls = next(c for _, c in inspect.getmembers(module, inspect.isclass) if c.__module__ == "component")
cls().run()
print("SUCCESS: Component %s executed successfully" % cls.__name__)
'''


def component() -> tuple[str, str]:
    spec = ComponentSpec("expanded_data_processor", "processor",
                         {"batch_size": "32", "strategy": "expand", "generation": "1", "parent": "data_processor"})
    comp = CodeSynthesizer().synthesize([spec])[signed_name(spec.name)]
    return spec.name, comp.source_code


def measure(run_one: Callable[[], None], runs: int, threads: int) -> tuple[list[float], float]:
    """Latencies of each call (s) and throughput (calls/s) with `threads` callers."""
    latencies: list[float] = []
    lock = threading.Lock()

    def timed(_: int) -> None:
        start = time.perf_counter()
        run_one()
        elapsed = time.perf_counter() - start
        with lock:
            latencies.append(elapsed)

    start = time.perf_counter()
    if threads == 1:
        for i in range(runs):
            timed(i)
    else:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            list(pool.map(timed, range(runs)))
    return latencies, runs / (time.perf_counter() - start)


def subprocess_runner(argv: list[str]) -> Callable[[], None]:
    def run_one() -> None:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=60)
        if proc.returncode != 0 or "SUCCESS" not in proc.stdout:
            raise RuntimeError(f"{argv[0]} failed: {proc.stderr[-500:]}")
    return run_one


def stage_profile(source: str, name: str, runs: int) -> dict[str, list[float]]:
    """Medians (ms) of: call -> the component's module starts, its code,
    its end -> execute_component returns, the total, and execution_time."""
    timed = "import time as _bench_time\n_BENCH_T0 = _bench_time.monotonic()\n" + source.replace(
        "    def run(self):\n",
        "    def run(self):\n        try:\n            return self._bench_run()\n        finally:\n"
        "            print('BENCH', _BENCH_T0, _bench_time.monotonic())\n\n    def _bench_run(self):\n", 1)
    profile = {}
    for mode in ("spawn", "warm"):
        rows = []
        with AutopoieticSandbox(timeout_s=30, mode=mode) as sandbox:
            for i in range(runs + 10):
                start = time.monotonic()
                result = sandbox.execute_component(timed, name)
                end = time.monotonic()
                line = next((ln for ln in result["output"].splitlines() if ln.startswith("BENCH ")), None)
                if line is None:
                    raise RuntimeError(f"the timed component did not run: {result['error'][-500:]}")
                begun, done = (float(x) for x in line.split()[1:])
                if i >= 10:
                    rows.append([begun - start, done - begun, end - done, end - start, result["execution_time"]])
        profile[mode] = [statistics.median(col) * 1000 for col in zip(*rows)]
    return profile


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    name, source = component()
    python = os.path.realpath(sys.executable)
    work = Path(tempfile.mkdtemp(prefix="autopoietic-bench-"))
    try:
        (work / "runner.py").write_text(RUNNER)
        (work / f"{name}.py").write_text(source)
        os.chmod(work, 0o755)
        rows: list[tuple[str, Optional[Callable[[], None]], str]] = []
        unshare = ["unshare"] + ([] if os.geteuid() == 0 else ["--user", "--map-root-user"])
        rows.append(("historical: unshare + python", subprocess_runner(
            unshare + ["--pid", "--ipc", "--uts", "--net", "--fork", sys.executable, str(work / "runner.py"),
                       str(work / f"{name}.py")]) if shutil.which("unshare") else None, "util-linux unshare missing"))
        rows.append(("bwrap --unshare-all + python -I -S", subprocess_runner(
            ["bwrap", "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
             "--tmpfs", "/tmp", "--ro-bind", str(work), str(work), python, "-I", "-S", str(work / "runner.py"),
             str(work / f"{name}.py")])
            if shutil.which("bwrap") else None, "bwrap missing (Debian package bubblewrap)"))
        rows.append(("bare python -I -S + runner, no isolation", subprocess_runner(
            [python, "-I", "-S", str(work / "runner.py"), str(work / f"{name}.py")]), ""))
        rows.append(("bare python -I -S start only (no component)", subprocess_runner(
            [python, "-I", "-S", "-c", "print('SUCCESS')"]), ""))
        sandboxes = {(mode, cgroup): AutopoieticSandbox(timeout_s=30, mode=mode, use_cgroup=cgroup)
                     for mode in ("spawn", "warm") for cgroup in (True, False)}
        controllers = ", ".join(sandboxes["spawn", True].cgroup_status()[0]) or "none: no cgroup writable here"

        def autopoietic(mode: str, cgroup: bool = True) -> Callable[[], None]:
            def run_one() -> None:
                result = sandboxes[mode, cgroup].execute_component(source, name)
                if not result["success"] or result["isolation"] != "unshare-namespaces":
                    raise RuntimeError(result["error"][-500:])
            return run_one

        rows.append((f"autopoietic spawn (full isolation, cgroup: {controllers})", autopoietic("spawn"), ""))
        rows.append(("autopoietic spawn, no cgroup (use_cgroup=False)", autopoietic("spawn", False), ""))
        rows.append((f"autopoietic warm (full isolation, cgroup: {controllers})", autopoietic("warm"), ""))
        rows.append(("autopoietic warm, no cgroup (use_cgroup=False)", autopoietic("warm", False), ""))
        results = {}
        for label, run_one, reason in rows:
            if run_one is None:
                results[label] = reason
                continue
            for _ in range(10):  # warm up: page cache, plans
                run_one()
            latencies, rate1 = measure(run_one, args.runs, 1)
            _, rate2 = measure(run_one, args.runs, 2)
            results[label] = (statistics.median(latencies), statistics.quantiles(latencies, n=20)[-1], rate1, rate2)
        for sandbox in sandboxes.values():
            sandbox.cleanup()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    stages = stage_profile(source, name, args.runs)
    measured = {k: v for k, v in results.items() if isinstance(v, tuple)}
    historical = measured.get("historical: unshare + python")
    bwrap = measured.get("bwrap --unshare-all + python -I -S")
    print(f"one component ({name}), {args.runs} runs per row and thread count, this machine, one run\n")
    print("| approach | median ms | p95 ms | per s, 1 thread | per s, 2 threads | vs historical | vs bwrap |")
    print("|---|---|---|---|---|---|---|")
    for label, value in results.items():
        if not isinstance(value, tuple):
            print(f"| {label} | skipped: {value} | | | | | |")
            continue
        median, p95, rate1, rate2 = value
        vs_h = f"{historical[0] / median:.2f}x" if historical else "-"
        vs_b = f"{bwrap[0] / median:.2f}x" if bwrap else "-"
        print(f"| {label} | {median * 1000:.1f} | {p95 * 1000:.1f} | {rate1:.0f} | {rate2:.0f} | {vs_h} | {vs_b} |")
    print("\nratios: median latency of the other approach / this one (above 1: faster than it)")
    print("\nwhere the time of one component goes (medians, ms; the component prints CLOCK_MONOTONIC,"
          " which the namespaces share with the host)\n")
    print("| mode | call -> component code starts | component code | component done -> result returned "
          "| total | execution_time (clone or go -> reap) |")
    print("|---|---|---|---|---|---|")
    for mode, row in stages.items():
        print(f"| {mode} | " + " | ".join(f"{v:.2f}" for v in row) + " |")


if __name__ == "__main__":
    main()
