"""Command line: ``python -m autopoietic {example,run,validate} ...``.

- ``example``: run the built-in example component and print its result.
- ``run FILE``: run FILE as a component (name from the file stem), or with
  ``--source`` as a plain script without the validator.
- ``validate FILE``: print the validator's findings like a linter
  (``file:line:col: rule message``); exit status 1 if there are any.

Every command takes ``--json`` for machine-readable output.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Optional, Sequence

from .sandbox import AutopoieticSandbox, SandboxError

EXAMPLE_COMPONENT = '''"""An example component: sums squares and reports it."""
import math


class ExampleComponent:
    _security_signature = "modulo_autopoiesis_data_example_component"
    _generated_in_sandbox = True

    def run(self):
        total = sum(i * i for i in range(10))
        print(f"sum of squares below 10 = {total}, sqrt = {math.sqrt(total):.3f}")
        return total
'''


def _print_result(result: dict, as_json: bool) -> None:
    if as_json:
        print(json.dumps(result, indent=2, sort_keys=True))
        return
    for key in sorted(result):
        value = result[key]
        if isinstance(value, str) and "\n" in value.rstrip("\n"):
            print(f"{key}:")
            for line in value.rstrip("\n").splitlines():
                print(f"    {line}")
        else:
            print(f"{key}: {value!r}")


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SystemExit(f"autopoietic: cannot read {path}: {exc}") from exc


def _cmd_example(args: argparse.Namespace) -> int:
    with AutopoieticSandbox() as sandbox:
        result = sandbox.execute_component(EXAMPLE_COMPONENT, "example_component")
    _print_result(dict(result), args.json)
    return 0 if result["success"] else 1


def _cmd_run(args: argparse.Namespace) -> int:
    code = _read(args.file)
    with AutopoieticSandbox(max_memory_mb=args.memory_mb, max_cpu_time_seconds=args.cpu_s) as sandbox:
        try:
            if args.source:
                result = sandbox.run_source(code)
            else:
                result = sandbox.execute_component(code, Path(args.file).stem)
        except SandboxError as exc:
            if args.json:
                print(json.dumps({"refused": str(exc), "findings": [f._asdict() for f in exc.findings]}, indent=2))
            else:
                print(f"autopoietic: refused: {exc}", file=sys.stderr)
            return 2
    _print_result(dict(result), args.json)
    return 0 if result["success"] else 1


def _cmd_validate(args: argparse.Namespace) -> int:
    code = _read(args.file)
    with AutopoieticSandbox() as sandbox:
        try:
            data = sandbox._encode(code, "source")
            findings = sandbox._findings(data)
        except SandboxError as exc:
            print(f"{args.file}:1:0: invalid-input {exc}")
            return 1
    if args.json:
        print(json.dumps([dict(file=args.file, **f._asdict()) for f in findings], indent=2))
    else:
        for f in findings:
            print(f"{args.file}:{f.line}:{f.col}: {f.rule} {f.message}")
    return 1 if findings else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m autopoietic", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("example", help="run the built-in example component")
    p.add_argument("--json", action="store_true", help="print the result dict as JSON")
    p.set_defaults(func=_cmd_example)

    p = sub.add_parser("run", help="run a component file in the sandbox")
    p.add_argument("file")
    p.add_argument("--source", action="store_true", help="run as a plain script, without validator or protocol")
    p.add_argument("--memory-mb", type=float, default=100, help="RLIMIT_AS in MiB (default 100)")
    p.add_argument("--cpu-s", type=float, default=30, help="CPU and wall-clock limit in seconds (default 30)")
    p.add_argument("--json", action="store_true", help="print the result dict as JSON")
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser("validate", help="print the validator's findings for a file")
    p.add_argument("file")
    p.add_argument("--json", action="store_true", help="print findings as JSON")
    p.set_defaults(func=_cmd_validate)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))
