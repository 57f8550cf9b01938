"""Command line: ``python -m autopoietic {demo,example,run,run-many,validate,doctor} ...``.

- ``demo``: a few autopoietic cycles on a built-in spec set; every
  synthesized component runs in the real sandbox; prints a table.
- ``example``: run the built-in example component and print its result.
- ``run FILE``: run FILE as a component (name from the file stem), or with
  ``--source`` as a plain script without the validator.
- ``doctor``: which isolation mechanisms this host allows, and why not.
- ``validate FILE``: print the validator's findings like a linter
  (``file:line:col: rule message``); exit status 1 if there are any.
- ``run-many PATH...``: run every ``.py`` file under the paths as a
  component, N at a time, with a progress bar on a terminal, and print a
  summary; exit status 1 if any failed.

Every command but ``run-many`` (``--json-lines FILE``) takes ``--json`` for
machine-readable output.
"""

from __future__ import annotations

import argparse
import json
import keyword
import os
import re
import signal
import statistics
import sys
import tempfile
from concurrent.futures import Future
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence

from ._common import MARKER_ATTRIBUTE, SIGNATURE_ATTRIBUTE, SIGNATURE_PREFIX
from .manager import AutopoieticManager, CycleLog
from .meta_architect import ComponentSpec
from .sandbox import AutopoieticSandbox, ExecutionResult, SandboxError
from .validator import DEFAULT_POLICY, validate

#: The demo's starting architecture.
DEFAULT_SPECS = (
    ComponentSpec("data_processor", "processor", {"batch_size": "32", "mode": "streaming"}),
    ComponentSpec("cache_manager", "cache", {"max_entries": "1024", "policy": "lru"}),
    ComponentSpec("health_monitor", "monitor", {"interval_s": "5"}),
)
#: Metrics the demo feeds its cycles, in turn: healthy, failing, overloaded.
DEMO_METRICS = (
    {"error_rate": 0.01, "cpu_usage": 35.0, "latency_ms": 120.0},
    {"error_rate": 0.20, "cpu_usage": 40.0, "latency_ms": 150.0},
    {"error_rate": 0.02, "cpu_usage": 95.0, "latency_ms": 900.0},
)

EXAMPLE_COMPONENT = f'''"""An example component: sums squares and reports it."""
import math


class ExampleComponent:
    {SIGNATURE_ATTRIBUTE} = "{SIGNATURE_PREFIX}example_component"
    {MARKER_ATTRIBUTE} = True

    def run(self):
        total = sum(i * i for i in range(10))
        print(f"sum of squares below 10 = {{total}}, sqrt = {{math.sqrt(total):.3f}}")
        return total
'''


def _print_result(result: Mapping[str, Any], as_json: bool) -> None:
    if as_json:
        print(json.dumps(result, indent=2, sort_keys=True))
        return
    for key in sorted(result):
        value = result[key]
        if isinstance(value, str) and "\n" in value.rstrip("\n"):
            print(f"{key}:")
            for line in value.rstrip("\n").splitlines():
                print(f"    {line}")
        elif isinstance(value, list):
            print(f"{key}: {', '.join(map(str, value))}")
        else:
            print(f"{key}: {value}")


class _UsageError(Exception):
    """Bad input on the command line: a message on stderr, exit status 2."""


def _read(path: str) -> str:
    """The text of path ("-": of stdin)."""
    try:
        if path == "-":
            return sys.stdin.buffer.read().decode("utf-8")
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _UsageError(f"cannot read {path}: {exc}") from exc


def _read_bytes(path: str) -> bytes:
    """The bytes of path ("-": of stdin)."""
    try:
        return sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except OSError as exc:
        raise _UsageError(f"cannot read {path}: {exc}") from exc


def _input_files(specs: Sequence[str]) -> dict[str, bytes]:
    """--file SRC[:DEST] -> {DEST: bytes of SRC}; DEST defaults to SRC's
    name (the last ':' splits, so a SRC with ':' needs a DEST)."""
    files: dict[str, bytes] = {}
    for spec in specs:
        src, sep, dest = spec.rpartition(":")
        if not sep or not src:
            src, dest = spec, Path(spec).name
        if dest in files:
            raise _UsageError(f"--file {spec}: {dest} is given twice")
        files[dest] = _read_bytes(src)
    return files


def _save_fetched(result: dict[str, Any], directory: str) -> None:
    """Write result["files"] under directory (made as needed) and replace
    each value with where it went and its size (the paths were checked
    relative when the run was asked for)."""
    saved: dict[str, Any] = {}
    for path, data in result.get("files", {}).items():
        target = Path(directory, path)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        except OSError as exc:
            raise _UsageError(f"cannot write the fetched file {target}: {exc}") from exc
        saved[path] = {"saved_to": str(target), "bytes": len(data)}
    result["files"] = saved


def _run_demo(cycles: int, data_dir: Path) -> list[CycleLog]:
    metrics_file = data_dir / "monitor" / "real_metrics.json"
    try:
        metrics_file.parent.mkdir(parents=True, exist_ok=True)
        if not metrics_file.exists():  # a healthy phi for the demo; an existing one is kept
            metrics_file.write_text(json.dumps({"phi": 0.8}), encoding="utf-8")
    except OSError as exc:
        raise _UsageError(f"cannot use {data_dir} as the data directory: {exc}") from exc
    with AutopoieticManager(
        initial_specs=DEFAULT_SPECS,
        history_path=data_dir / "history.jsonl",
        synthesized_code_dir=data_dir / "synthesized",
        metrics_path=metrics_file,
    ) as manager:
        return [manager.run_cycle(DEMO_METRICS[i % len(DEMO_METRICS)]) for i in range(cycles)]


def _cmd_demo(args: argparse.Namespace) -> int:
    if args.cycles < 1:
        raise SystemExit("autopoietic: --cycles must be at least 1")
    if args.data_dir:
        logs = _run_demo(args.cycles, Path(args.data_dir))
    else:
        with tempfile.TemporaryDirectory(prefix="autopoietic-demo-") as tmp:
            logs = _run_demo(args.cycles, Path(tmp))
    runs = [e for log in logs for e in log.executions]
    if args.json:
        print(json.dumps([log.to_json_dict() for log in logs], indent=2, sort_keys=True))
    else:
        width = max([len(e["name"]) for e in runs] + [9])
        for log in logs:
            print(f"cycle {log.cycle_id}: strategy {log.strategy.name}, phi {log.phi_before:.2f} -> {log.phi_after:.2f}"
                  f"{', rolled back' if log.rolled_back else ''}")
            print(f"  {'component':<{width}}  {'strategy':<9}  {'isolation':<26}  {'success':<7}  {'ms':>7}")
            for e in log.executions:
                print(f"  {e['name']:<{width}}  {e['strategy']:<9}  {e['isolation']:<26}  {str(e['success']):<7}"
                      f"  {e['execution_time'] * 1000:7.1f}")
        ok = sum(e["success"] for e in runs)
        isolations = sorted({e["isolation"] for e in runs})
        median = statistics.median(e["execution_time"] for e in runs) * 1000 if runs else 0.0
        print(f"{len(runs)} components synthesized over {len(logs)} cycle{'s' if len(logs) != 1 else ''}, "
              f"{ok} succeeded; "
              f"isolation: {', '.join(isolations)}; median {median:.1f} ms per component")
    return 0 if runs and all(e["success"] for e in runs) else 1


def _cmd_example(args: argparse.Namespace) -> int:
    with AutopoieticSandbox() as sandbox:
        result = sandbox.execute_component(EXAMPLE_COMPONENT, "example_component")
    _print_result(dict(result), args.json)
    return 0 if result["success"] else 1


def _component_name(path: str) -> str:
    """A plain identifier from a file name: my-greeter.py -> my_greeter."""
    name = re.sub(r"\W", "_", Path(path).stem, flags=re.ASCII) or "component"
    return f"_{name}" if name[0].isdigit() or keyword.iskeyword(name) else name


def _limit_usage_error(exc: Exception) -> _UsageError:
    """A sandbox option refused: said with the flags' names (max_memory_mb
    is --memory-mb ...)."""
    return _UsageError(str(exc).replace("max_memory_mb", "--memory-mb").replace(
        "max_cpu_time_seconds", "--cpu-s").replace("timeout_s", "--timeout-s"))


def _cmd_run(args: argparse.Namespace) -> int:
    if args.file == "-" and args.stdin == "-":
        raise _UsageError("the program and --stdin cannot both come from stdin")
    code = _read(args.file)
    stdin = _read_bytes(args.stdin) if args.stdin is not None else None
    files = _input_files(args.file_inputs)
    try:
        policy = DEFAULT_POLICY.allowing(*args.allow_module)
        sandbox = AutopoieticSandbox(max_memory_mb=args.memory_mb, max_cpu_time_seconds=args.cpu_s,
                                     timeout_s=args.timeout_s, python=args.python,
                                     site_packages=args.site_packages, preload=tuple(args.preload),
                                     validator_policy=policy)
    except (TypeError, ValueError, SandboxError) as exc:
        raise _limit_usage_error(exc) from exc
    with sandbox:
        try:
            call: dict[str, Any] = {"stdin": stdin, "files": files, "fetch": args.fetch}
            if args.source:
                result = sandbox.run_source(code, **call)
            else:
                stem = "component" if args.file == "-" else args.file
                name = args.name if args.name is not None else _component_name(stem)
                result = sandbox.run_component(code, name, **call)
        except SandboxError as exc:
            if args.json:
                print(json.dumps({"refused": str(exc), "findings": [f._asdict() for f in exc.findings]}, indent=2))
            else:
                print(f"autopoietic: refused: {exc}", file=sys.stderr)
            return 2
    printed: dict[str, Any] = dict(result)
    _save_fetched(printed, args.fetch_dir)
    _print_result(printed, args.json)
    return 0 if result["success"] else 1


def _component_files(paths: Sequence[str]) -> list[Path]:
    """Every .py file under paths (files as given, directories walked),
    sorted per path; _UsageError for a path that does not exist."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*.py") if p.is_file()))
        elif path.is_file():
            found.append(path)
        else:
            raise _UsageError(f"no such file or directory: {raw}")
    return found


def _percentile_95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else values[0]


def _run_many_record(path: Path, future: Future[ExecutionResult]) -> tuple[dict[str, Any], str | None, str]:
    """(its --json-lines record, why it failed: None for a success,
    "refused", or its limit_exceeded ("none" for none), its status line) of
    one component of run-many."""
    record: dict[str, Any] = {"path": str(path), "name": _component_name(str(path))}
    try:
        result = future.result()
    except SandboxError as exc:
        record.update(success=False, refused=str(exc), findings=[f._asdict() for f in exc.findings])
        return record, "refused", f"REFUSED: {exc}"
    record.update(result)
    took = f" {result['execution_time'] * 1000:.1f} ms"
    if result["success"]:
        return record, None, "ok" + took
    kind = result["limit_exceeded"] or "none"
    last = result["error"].strip().splitlines()[-1:] or [""]
    return record, kind, f"FAILED (limit_exceeded: {kind}): {last[0][:200]}" + took


def _cmd_run_many(args: argparse.Namespace) -> int:
    from concurrent.futures import as_completed
    from contextlib import nullcontext

    from .executor import SandboxExecutor

    files = _component_files(args.paths)
    if not files:
        raise _UsageError("no .py file under " + ", ".join(args.paths))
    if args.jobs is not None and args.jobs < 1:
        raise _UsageError("--jobs must be at least 1")
    sources: dict[Path, str] = {path: _read(str(path)) for path in files}
    try:
        executor = SandboxExecutor(max_workers=args.jobs, max_memory_mb=args.memory_mb,
                                   max_cpu_time_seconds=args.cpu_s, timeout_s=args.timeout_s)
    except (TypeError, ValueError, SandboxError) as exc:
        raise _limit_usage_error(exc) from exc
    try:
        lines = open(args.json_lines, "w", encoding="utf-8") if args.json_lines else None
    except OSError as exc:
        executor.shutdown()
        raise _UsageError(f"cannot write {args.json_lines}: {exc}") from exc
    progress = not args.no_progress and sys.stderr.isatty()
    bar: Any = nullcontext()
    if progress:
        try:
            from tqdm import tqdm
        except ImportError:  # the optional extra: pip install autopoietic[progress]
            progress = False
            print("no progress bar without tqdm (pip install autopoietic[progress]): one line per component",
                  file=sys.stderr, flush=True)
        else:
            bar = tqdm(total=len(files), unit="component", file=sys.stderr)
    times: list[float] = []
    succeeded = refused = 0
    failures: dict[str, int] = {}
    try:
        with executor, bar:
            futures = {executor.submit_component(sources[path], _component_name(str(path))): path
                       for path in files}
            for done, future in enumerate(as_completed(futures), 1):
                path = futures[future]
                record, failure, status = _run_many_record(path, future)
                ok = failure is None
                if "execution_time" in record:
                    times.append(record["execution_time"])
                if failure is None:
                    succeeded += 1
                elif failure == "refused":
                    refused += 1
                else:
                    failures[failure] = failures.get(failure, 0) + 1
                if lines is not None:
                    lines.write(json.dumps(record) + "\n")
                    lines.flush()
                line = f"[{done}/{len(files)}] {path}: {status}"
                if progress:
                    if not ok:  # failures stay listed above the bar
                        bar.write(line, file=sys.stderr)
                    bar.update(1)
                else:
                    print(line, file=sys.stderr, flush=True)
    except KeyboardInterrupt:
        executor.shutdown(cancel_futures=True)
        raise
    finally:
        if lines is not None:
            lines.close()
    failed = len(files) - succeeded
    median = f"{statistics.median(times) * 1000:.1f}" if times else "-"
    p95 = f"{_percentile_95(times) * 1000:.1f}" if times else "-"
    print("| components | succeeded | failed | median ms | p95 ms |")
    print("|---|---|---|---|---|")
    print(f"| {len(files)} | {succeeded} | {failed} | {median} | {p95} |")
    if failures:
        print("\nfailed runs, by limit_exceeded: " + ", ".join(
            f"{kind} {count}" for kind, count in sorted(failures.items())))
    if refused:
        print(f"refused by the validator (not run): {refused}")
    return 1 if failed else 0


def _cmd_validate(args: argparse.Namespace) -> int:
    try:
        data = Path(args.file).read_bytes()
    except OSError as exc:
        raise _UsageError(f"cannot read {args.file}: {exc}") from exc
    policy = DEFAULT_POLICY.with_changes(require_markers=not args.no_markers,
                                         allow_unknown_modules=args.allow_unknown_modules)
    findings = validate(data, policy)  # the bytes as they are: encoding problems are findings
    if args.json:
        print(json.dumps([dict(file=args.file, **f._asdict()) for f in findings], indent=2))
    else:
        for f in findings:
            print(f"{args.file}:{f.line}:{f.col}: {f.rule} {f.message}")
    return 1 if findings else 0


def _cmd_doctor(args: argparse.Namespace) -> int:
    from .doctor import diagnose, format_report

    report = diagnose()
    print(json.dumps(report, indent=2, sort_keys=True) if args.json else format_report(report))
    return 0 if report["sandbox"]["isolation"].startswith("unshare-namespaces") else 1


def _mcp_options(p: argparse.ArgumentParser) -> None:
    """The options of ``mcp`` (read by mcp_server.serve; defined here so
    that building the parser imports neither asyncio nor the SDK)."""
    p.add_argument("--memory-mb", type=float, default=100, help="memory per run or session, MiB (default 100)")
    p.add_argument("--cpu-s", type=float, default=30, help="CPU time per run or session, seconds (default 30)")
    p.add_argument("--timeout-s", type=float, default=None,
                   help="wall-clock limit per run or cell, seconds (default: 2 x --cpu-s + 1)")
    p.add_argument("--max-output-bytes", type=int, default=1 << 20,
                   help="stdout and stderr kept per call (default 1048576)")
    p.add_argument("--max-sessions", type=int, default=8, help="sessions open at once (default 8)")
    p.add_argument("--mode", choices=("warm", "spawn"), default=None, help="execution mode (default warm)")


def _cmd_mcp(args: argparse.Namespace) -> int:
    from . import mcp_server

    try:
        import mcp  # noqa: F401
    except ImportError:
        raise _UsageError("the MCP server needs the official mcp SDK (Python 3.10 or later): "
                          "pip install '.[mcp]' in a checkout, into the environment that runs this") from None
    try:
        return mcp_server.serve(args)
    except (TypeError, ValueError, SandboxError) as exc:
        raise _UsageError(str(exc)) from None


def _add_limit_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--memory-mb", type=float, default=100, help="RLIMIT_AS in MiB (default 100, at least 32)")
    p.add_argument("--cpu-s", type=float, default=30, help="CPU time limit in seconds (default 30)")
    p.add_argument("--timeout-s", type=float, default=None,
                   help="wall-clock limit in seconds (default: 2 x --cpu-s + 1)")


#: ``--help``'s text, plain (argparse prints it as written).
HELP_DESCRIPTION = "Run untrusted, machine-generated Python components in a Linux sandbox."
HELP_EPILOG = """\
examples:
  python -m autopoietic doctor                  what isolation this host allows
  python -m autopoietic run greeter.py          a file as a component
  python -m autopoietic run --source script.py  a file as a plain script
  python -m autopoietic run --source job.py --stdin in.txt --file data.csv --fetch out.json
  python -m autopoietic validate greeter.py     the validator's findings
  python -m autopoietic run-many dir/ --jobs 4 --json-lines out.jsonl
  python -m autopoietic mcp                     an MCP server over stdio (the [mcp] extra)

Every command but run-many and mcp takes --json; run-many writes --json-lines FILE.
COMMAND --help shows a command's options.

exit status:
  0    success
  1    a run failed, validate found something, or doctor found no namespaces
  2    bad input: an unreadable file, a bad option, a refused component
  130  interrupted

Documentation: README.md and docs/ in the source tree (docs/api.md,
"The command line")."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m autopoietic", description=HELP_DESCRIPTION, epilog=HELP_EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("demo", help="run autopoietic cycles on the built-in spec set")
    p.add_argument("--cycles", type=int, default=3, help="number of cycles (default 3)")
    p.add_argument("--data-dir", help="keep history and components here (default: a temporary directory)")
    p.add_argument("--json", action="store_true", help="print the cycle logs as JSON")
    p.set_defaults(func=_cmd_demo)

    p = sub.add_parser("example", help="run the built-in example component")
    p.add_argument("--json", action="store_true", help="print the result dict as JSON")
    p.set_defaults(func=_cmd_example)

    p = sub.add_parser("run", help="run a component file in the sandbox")
    p.add_argument("file", help="the program's file, or - for stdin")
    p.add_argument("--source", action="store_true", help="run as a plain script, without validator or protocol")
    p.add_argument("--name", help="component name, a plain identifier (default: the file's stem, made one)")
    p.add_argument("--stdin", metavar="FILE", help="the program's stdin: FILE's bytes, or - for this stdin "
                   "(default: empty)")
    p.add_argument("--file", dest="file_inputs", metavar="SRC[:DEST]", action="append", default=[],
                   help="write the host file SRC at DEST (relative, default SRC's name) under the sandbox's "
                   "/work before the run; repeatable")
    p.add_argument("--fetch", metavar="PATH", action="append", default=[],
                   help="read PATH (relative to /work) back after the run into --fetch-dir; repeatable")
    p.add_argument("--fetch-dir", metavar="DIR", default=".",
                   help="where fetched files are written, at their PATH (default: the current directory)")
    p.add_argument("--python", metavar="PATH", help="the interpreter that runs it, a venv's bin/python included "
                   "(default: this one)")
    p.add_argument("--site-packages", action="store_true",
                   help="bind that interpreter's site-packages read-only and put them on sys.path")
    p.add_argument("--preload", metavar="MODULE", action="append", default=[],
                   help="a module the warm fork server imports once, as you (code you trust); repeatable")
    p.add_argument("--allow-module", metavar="NAME", action="append", default=[],
                   help="a top-level package the validator allows, with its submodules; repeatable")
    _add_limit_options(p)
    p.add_argument("--json", action="store_true", help="print the result dict as JSON")
    p.set_defaults(func=_cmd_run)

    # allow_abbrev=False: "--json" is refused as unknown, not taken for --json-lines
    p = sub.add_parser("run-many", help="run every .py file under the paths as a component, N at a time",
                       allow_abbrev=False)
    p.add_argument("paths", nargs="+", metavar="PATH", help="files, or directories searched for *.py")
    p.add_argument("--jobs", "-j", type=int, default=None, help="components at once (default: online CPUs)")
    p.add_argument("--json-lines", metavar="FILE", help="write one JSON result per component to FILE")
    p.add_argument("--no-progress", action="store_true", help="plain lines instead of a progress bar")
    _add_limit_options(p)
    p.set_defaults(func=_cmd_run_many)

    p = sub.add_parser("doctor", help="what isolation this host allows, and why not")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=_cmd_doctor)

    p = sub.add_parser("mcp", help="serve the Model Context Protocol over stdio (needs the [mcp] extra)")
    _mcp_options(p)
    p.set_defaults(func=_cmd_mcp)

    p = sub.add_parser("validate", help="print the validator's findings for a file")
    p.add_argument("file")
    p.add_argument("--no-markers", action="store_true", help="do not require the component markers")
    p.add_argument("--allow-unknown-modules", action="store_true", help="allow modules the policy does not list")
    p.add_argument("--json", action="store_true", help="print findings as JSON")
    p.set_defaults(func=_cmd_validate)
    return parser


def _terminate(signum: int, _frame: object) -> None:
    # SIGTERM unwinds like Ctrl-C, so sandboxes and temporary directories
    # are cleaned up on the way out
    raise SystemExit(128 + signum)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Exit status: 0 success, 1 a run failed or validate found something,
    2 bad input (unreadable file, bad option, refused component), 130 Ctrl-C."""
    args = build_parser().parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    try:
        return int(args.func(args))
    except _UsageError as exc:
        print(f"autopoietic: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # the reader went away (| head): nothing more to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
