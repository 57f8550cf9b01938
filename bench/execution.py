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

- bare runner: `python -I -S` running this package's own runner
  (`_runner.py`, started with `posix_spawn` and its fds 3-5 in place: the
  same program spawn mode runs, without any isolation), the floor spawn
  mode is compared with.

Per row: median and p95 latency of one component, throughput with 1, 2
and 4 threads, and the CPU time per run of every process involved (this
process by `getrusage`, its children by `RUSAGE_CHILDREN`, and a live fork
server with the sandboxes it reaped by its `/proc/PID/stat` times), not a
division of wall time.

Then an evaluation workload (programs of a function and its asserts, about
1 KiB each, bench/programs.py, through `run_source`), where the time of one run goes, and the
floors of this machine: `fork` + `_exit` + `waitpid` of an interpreter that
has imported what the fork server imports, and the same with the
namespaces created in the child.

Usage: python bench/execution.py [--runs N]
"""

from __future__ import annotations

import argparse
import itertools
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, Optional

from programs import PROGRAMS

from autopoietic import _launch
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


SERVER_IMPORTS = "collections, dataclasses, functools, json, logging, math, re, resource, typing"

# fork + _exit + waitpid of an interpreter that has imported what the fork
# server imports, with the C library's fork (no Python fork hook, as the
# fork server does); argv[1]: the namespaces the child creates before
# _exit (unshare flags, 0: none), argv[2]: runs.  Prints the median (s).
FORK_FLOOR = f"""
import ctypes, os, statistics, sys, time
import {SERVER_IMPORTS}
libc = ctypes.CDLL(None, use_errno=True)
flags, runs = int(sys.argv[1]), int(sys.argv[2])
times = []
for _ in range(runs):
    start = time.perf_counter()
    pid = libc.fork()
    if pid == 0:
        if flags and libc.unshare(flags) != 0:
            os._exit(1)
        if flags & 0x20000000:  # CLONE_NEWPID: its first child is pid 1
            child = libc.fork()
            if child == 0:
                os._exit(0)
            os.waitpid(child, 0)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    if status != 0:
        raise SystemExit("unshare failed")
    times.append(time.perf_counter() - start)
print(statistics.median(times))
"""
CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWCGROUP = (
    0x00020000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000, 0x02000000)


class CpuMeter:
    """CPU seconds of this process and of everything it started:
    getrusage of itself and of its reaped children, plus the /proc times of
    its live children (the fork servers), which include the sandboxes they
    reaped (cutime, cstime)."""

    TICK = os.sysconf("SC_CLK_TCK")

    @classmethod
    def _live_children(cls) -> float:
        total = 0
        me = str(os.getpid())
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[1] == me:
                total += sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
        return total / cls.TICK

    @classmethod
    def machine(cls) -> float:
        """Busy CPU seconds of the whole machine (/proc/stat: all but idle
        and iowait), kernel workers included (a network namespace is torn
        down by one), and whatever else runs."""
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
        return (sum(fields[:8]) - fields[3] - fields[4]) / cls.TICK

    @classmethod
    def now(cls) -> float:
        own = resource.getrusage(resource.RUSAGE_SELF)
        reaped = resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + reaped.ru_utime + reaped.ru_stime + cls._live_children()


def measure(run_one: Callable[[], None], runs: int, threads: int) -> tuple[list[float], float, float, float]:
    """Latencies of each call (s), throughput (calls/s) with `threads`
    callers, and CPU seconds per call: of the processes involved, and of
    the machine (CpuMeter)."""
    latencies: list[float] = []
    lock = threading.Lock()

    def timed(_: int) -> None:
        start = time.perf_counter()
        run_one()
        elapsed = time.perf_counter() - start
        with lock:
            latencies.append(elapsed)

    with ThreadPoolExecutor(max_workers=threads) as pool:
        if threads > 1:
            list(pool.map(timed, range(threads * 4)))  # every thread's fork server started
            latencies.clear()
        cpu_start, machine_start = CpuMeter.now(), CpuMeter.machine()
        start = time.perf_counter()
        if threads == 1:
            for i in range(runs):
                timed(i)
        else:
            list(pool.map(timed, range(runs)))
        elapsed = time.perf_counter() - start
        cpu, machine = CpuMeter.now() - cpu_start, CpuMeter.machine() - machine_start
    return latencies, runs / elapsed, cpu / runs, machine / runs


def subprocess_runner(argv: list[str]) -> Callable[[], None]:
    def run_one() -> None:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=60)
        if proc.returncode != 0 or "SUCCESS" not in proc.stdout:
            raise RuntimeError(f"{argv[0]} failed: {proc.stderr[-500:]}")
    return run_one


def bare_runner(python: str, source: str, name: str, work: Path) -> Callable[[], None]:
    """This package's runner in `python -I -S`, its fds 3-5 as spawn mode
    sets them (arguments and nonce, verdict, sealed source), without any
    isolation: posix_spawn, like subprocess."""
    runner = Path(_launch.__file__).with_name("_runner.py").read_text(encoding="utf-8")
    argv = [python, "-I", "-S", "-B", "-X", "utf8", "-c", runner]
    env = dict(item.split("=", 1) for item in _launch.environment(str(work), str(work)))
    data = source.encode("utf-8")

    def run_one() -> None:
        _, header = _launch.runner_header("component", name)
        out_r, out_w = os.pipe()
        nonce_r, nonce_w = os.pipe()
        verdict_r, verdict_w = os.pipe()
        os.write(nonce_w, header)
        os.close(nonce_w)
        with _launch.sealed_source(data, name) as source_fd:
            actions = [(os.POSIX_SPAWN_DUP2, out_w, 1), (os.POSIX_SPAWN_DUP2, out_w, 2),
                       (os.POSIX_SPAWN_DUP2, nonce_r, 3), (os.POSIX_SPAWN_DUP2, verdict_w, 4),
                       (os.POSIX_SPAWN_DUP2, source_fd, 5), (os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0)]
            pid = os.posix_spawn(python, argv, env, file_actions=actions)
        for fd in (out_w, nonce_r, verdict_w):
            os.close(fd)
        chunks = []
        while chunk := os.read(out_r, 65536):
            chunks.append(chunk)
        os.close(out_r)
        verdict = os.read(verdict_r, 65536)
        os.close(verdict_r)
        _, status = os.waitpid(pid, 0)
        output = b"".join(chunks)
        if status != 0 or b"SUCCESS" not in output or b"\x1fok\x1f" not in verdict:
            raise RuntimeError(f"the bare runner failed: {output[-500:]!r}")
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


def fork_floors(python: str, runs: int) -> list[tuple[str, float]]:
    """(step, median ms): fork + _exit + waitpid of an interpreter that
    imported what the fork server imports, bare and with namespaces made
    in the child."""
    user = CLONE_NEWUSER if os.geteuid() != 0 else 0
    also = " (and user)" if user else ""
    cases = [("fork + _exit + waitpid, no namespace", 0),
             ("the same + ipc, uts" + also, user | CLONE_NEWIPC | CLONE_NEWUTS),
             ("the same + mnt" + also, user | CLONE_NEWNS),
             ("the same + net" + also, user | CLONE_NEWNET),
             ("the same + pid, its pid 1 forked and reaped" + also, user | CLONE_NEWPID),
             ("the same + all of user, pid, ipc, uts, net, mnt, cgroup, with pid 1",
              CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET | CLONE_NEWNS
              | CLONE_NEWCGROUP)]
    rows = []
    for label, flags in cases:
        proc = subprocess.run([python, "-I", "-S", "-c", FORK_FLOOR, str(flags), str(runs)], capture_output=True,
                              text=True, timeout=600)
        if proc.returncode != 0:
            rows.append((f"{label}: failed ({proc.stderr.strip()[-200:]})", float("nan")))
        else:
            rows.append((label, float(proc.stdout) * 1000))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    name, source = component()
    python = os.path.realpath(sys.executable)
    work = Path(tempfile.mkdtemp(prefix="autopoietic-bench-"))
    previous_cwd = os.getcwd()
    sandboxes: dict[tuple[str, bool], AutopoieticSandbox] = {}
    try:
        (work / "runner.py").write_text(RUNNER)
        (work / f"{name}.py").write_text(source)
        os.chmod(work, 0o755)
        # the bare runner writes its copy of the source into its working
        # directory, as in a sandbox: here, not where the benchmark started
        os.chdir(work)
        rows: list[tuple[str, Optional[Callable[[], None]], str]] = []
        unshare = ["unshare"] + ([] if os.geteuid() == 0 else ["--user", "--map-root-user"])
        rows.append((HISTORICAL, subprocess_runner(
            unshare + ["--pid", "--ipc", "--uts", "--net", "--fork", sys.executable, str(work / "runner.py"),
                       str(work / f"{name}.py")]) if shutil.which("unshare") else None, "util-linux unshare missing"))
        rows.append((BWRAP, subprocess_runner(
            ["bwrap", "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
             "--tmpfs", "/tmp", "--ro-bind", str(work), str(work), python, "-I", "-S", str(work / "runner.py"),
             str(work / f"{name}.py")])
            if shutil.which("bwrap") else None, "bwrap missing (Debian package bubblewrap)"))
        rows.append(("bare python -I -S + runner, no isolation", subprocess_runner(
            [python, "-I", "-S", str(work / "runner.py"), str(work / f"{name}.py")]), ""))
        rows.append((BARE_RUNNER, bare_runner(python, source, name, work), ""))
        rows.append(("bare python -I -S start only (no component)", subprocess_runner(
            [python, "-I", "-S", "-c", "print('SUCCESS')"]), ""))
        for mode in ("spawn", "warm"):
            for cgroup in (True, False):
                sandboxes[mode, cgroup] = AutopoieticSandbox(timeout_s=30, mode=mode, use_cgroup=cgroup)
        controllers = ", ".join(sandboxes["spawn", True].cgroup_status()[0]) or "none: no cgroup writable here"

        def autopoietic(mode: str, cgroup: bool = True) -> Callable[[], None]:
            def run_one() -> None:
                result = sandboxes[mode, cgroup].execute_component(source, name)
                if not result["success"] or result["isolation"] != "unshare-namespaces":
                    raise RuntimeError(result["error"][-500:])
            return run_one

        spawn_label = f"autopoietic spawn (full isolation, cgroup: {controllers})"
        rows.append((spawn_label, autopoietic("spawn"), ""))
        rows.append(("autopoietic spawn, no cgroup (use_cgroup=False)", autopoietic("spawn", False), ""))
        rows.append((f"autopoietic warm (full isolation, cgroup: {controllers})", autopoietic("warm"), ""))
        rows.append(("autopoietic warm, no cgroup (use_cgroup=False)", autopoietic("warm", False), ""))
        results: dict[str, Any] = {}
        for label, run_one, reason in rows:
            if run_one is None:
                results[label] = reason
                continue
            for _ in range(10):  # warm up: page cache, plans
                run_one()
            latencies, rate1, cpu, machine = measure(run_one, args.runs, 1)
            rates = [measure(run_one, args.runs, threads)[1] for threads in (2, 4)]
            results[label] = (statistics.median(latencies), statistics.quantiles(latencies, n=20)[-1], rate1, *rates,
                              cpu, machine)

        evaluation = {}
        for mode in ("spawn", "warm"):
            programs = itertools.cycle(PROGRAMS)

            def run_program(sandbox: AutopoieticSandbox = sandboxes[mode, True]) -> None:
                result = sandbox.run_source(next(programs))
                if not result["success"]:
                    raise RuntimeError(result["error"][-500:])
            for _ in range(len(PROGRAMS)):
                run_program()
            latencies, rate1, cpu, machine = measure(run_program, args.runs, 1)
            evaluation[mode] = (statistics.median(latencies), statistics.quantiles(latencies, n=20)[-1], rate1, cpu,
                                machine)
    finally:
        for sandbox in sandboxes.values():
            sandbox.cleanup()
        os.chdir(previous_cwd)
        shutil.rmtree(work, ignore_errors=True)

    stages = stage_profile(source, name, args.runs)
    floors = fork_floors(python, args.runs)
    report(name, args.runs, results, spawn_label, evaluation, stages, floors)


HISTORICAL = "historical: unshare + python"
BWRAP = "bwrap --unshare-all + python -I -S"
BARE_RUNNER = "bare python -I -S + autopoietic's runner, no isolation"


def report(name: str, runs: int, results: dict[str, Any], spawn_label: str,
           evaluation: dict[str, tuple[float, float, float, float, float]], stages: dict[str, list[float]],
           floors: list[tuple[str, float]]) -> None:
    measured = {k: v for k, v in results.items() if isinstance(v, tuple)}
    historical, bwrap = measured.get(HISTORICAL), measured.get(BWRAP)
    print(f"one component ({name}), {runs} runs per row and thread count, this machine, one run\n")
    print("| approach | median ms | p95 ms | per s, 1 thread | 2 threads | 4 threads | CPU ms per run "
          "| machine CPU ms per run | vs historical | vs bwrap |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for label, value in results.items():
        if not isinstance(value, tuple):
            print(f"| {label} | skipped: {value} | | | | | | | | |")
            continue
        median, p95, rate1, rate2, rate4, cpu, machine = value
        vs_h = f"{historical[0] / median:.2f}x" if historical else "-"
        vs_b = f"{bwrap[0] / median:.2f}x" if bwrap else "-"
        print(f"| {label} | {median * 1000:.1f} | {p95 * 1000:.1f} | {rate1:.0f} | {rate2:.0f} | {rate4:.0f} "
              f"| {cpu * 1000:.1f} | {machine * 1000:.1f} | {vs_h} | {vs_b} |")
    print("\nratios: median latency of the other approach / this one (above 1: faster than it).  CPU, 1 thread: "
          "of the processes involved (getrusage of this one and of its reaped children, /proc of the live fork "
          "servers; it misses what a process not reaped by one of ours used: bwrap's sandbox), and of the whole "
          "machine (/proc/stat: kernel workers included, and any other load).")
    spawn, bare = measured.get(spawn_label), measured.get(BARE_RUNNER)
    if spawn and bare:
        print(f"spawn mode / bare python -I -S running the same runner: {spawn[0] / bare[0]:.2f}x (median latency)")
    print(f"\nan evaluation workload: {len(PROGRAMS)} programs of a function and its asserts "
          f"({min(map(len, PROGRAMS))}-{max(map(len, PROGRAMS))} bytes) through run_source, full isolation, "
          "with the cgroup\n")
    print("| mode | median ms | p95 ms | per s, 1 thread | CPU ms per run | machine CPU ms per run |")
    print("|---|---|---|---|---|---|")
    for mode, (median, p95, rate1, cpu, machine) in evaluation.items():
        print(f"| {mode} | {median * 1000:.1f} | {p95 * 1000:.1f} | {rate1:.0f} | {cpu * 1000:.1f} "
              f"| {machine * 1000:.1f} |")
    print("\nwhere the time of one component goes (medians, ms; the component prints CLOCK_MONOTONIC,"
          " which the namespaces share with the host)\n")
    print("| mode | call -> component code starts | component code | component done -> result returned "
          "| total | execution_time (spawn: clone -> reap; warm: go -> the tree gone) |")
    print("|---|---|---|---|---|---|")
    for mode, row in stages.items():
        print(f"| {mode} | " + " | ".join(f"{v:.2f}" for v in row) + " |")
    print(f"\nthe floors of this machine: an interpreter that imported {SERVER_IMPORTS}, forked by the C "
          "library's fork() (medians)\n")
    print("| step | median ms |")
    print("|---|---|")
    for label, value in floors:
        print(f"| {label} | {value:.2f} |")


if __name__ == "__main__":
    main()
