"""python -m autopoietic run-many: a batch of component files, N at a time,
a progress bar on a terminal, plain lines elsewhere, a summary, JSON lines
and an exit status that says whether everything succeeded."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from helpers import component

# every test here starts sandboxes: each runs in both execution modes
# (docs/design.md, "Execution modes")
pytestmark = pytest.mark.usefixtures("execution_mode")


def cli(*args, **kwargs):
    return subprocess.run([sys.executable, "-m", "autopoietic", "run-many", *args], capture_output=True,
                          text=True, timeout=300, **kwargs)


def write_batch(root: Path, good: int, memory_hog: bool = False, refused: bool = False) -> None:
    (root / "nested").mkdir(parents=True)
    for i in range(good):
        folder = root if i % 2 else root / "nested"
        (folder / f"ok-{i}.py").write_text(component(f"print('ok {i}')"))
    if memory_hog:
        (root / "hog.py").write_text(component("x = bytearray(1 << 30)"))
    if refused:
        (root / "bad.py").write_text("import os\n")
    (root / "notes.txt").write_text("not a component")


def test_all_succeed(tmp_path):
    write_batch(tmp_path, 12)
    out = tmp_path.parent / "results.jsonl"
    proc = cli(str(tmp_path), "--jobs", "3", "--json-lines", str(out))
    assert proc.returncode == 0, proc.stderr
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(records) == 12
    assert {r["name"] for r in records} == {f"ok_{i}" for i in range(12)}
    assert all(r["success"] and r["output"].startswith(f"ok {r['name'][3:]}\n") for r in records)
    assert all(r["isolation"] == "unshare-namespaces" for r in records)
    # not a terminal: one plain line per component, no progress bar
    lines = proc.stderr.splitlines()
    assert len(lines) == 12 and all(line.startswith("[") and ": ok " in line for line in lines)
    assert "\r" not in proc.stderr
    assert "| 12 | 12 | 0 |" in proc.stdout


def test_failures_set_the_exit_status_and_are_counted(tmp_path):
    write_batch(tmp_path, 3, memory_hog=True, refused=True)
    out = tmp_path.parent / "results.jsonl"
    proc = cli(str(tmp_path), "--json-lines", str(out), "--no-progress", "--memory-mb", "64")
    assert proc.returncode == 1
    records = {r["name"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert records["hog"]["success"] is False and records["hog"]["limit_exceeded"] == "memory"
    assert "refused" in records["bad"] and records["bad"]["findings"]
    assert records["bad"]["success"] is False
    assert "| 5 | 3 | 2 |" in proc.stdout
    assert "failed runs, by limit_exceeded: memory 1" in proc.stdout
    assert "refused by the validator (not run): 1" in proc.stdout


def test_single_files_and_bad_input(tmp_path):
    path = tmp_path / "one.py"
    path.write_text(component("print(1)"))
    proc = cli(str(path))
    assert proc.returncode == 0 and "| 1 | 1 | 0 |" in proc.stdout
    proc = cli(str(tmp_path / "missing"))
    assert proc.returncode == 2 and "no such file or directory" in proc.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    proc = cli(str(empty))
    assert proc.returncode == 2 and "no .py file" in proc.stderr
    proc = cli(str(path), "--jobs", "0")
    assert proc.returncode == 2 and "--jobs" in proc.stderr
    proc = cli(str(path), "--memory-mb", "-5")
    assert proc.returncode == 2 and "--memory-mb" in proc.stderr
    proc = cli(str(path), "--json")  # no abbreviation of --json-lines
    assert proc.returncode == 2 and "unrecognized arguments: --json" in proc.stderr
    assert "Traceback" not in proc.stderr


def run_many_on_a_terminal(args: list[str]) -> tuple[subprocess.CompletedProcess, str]:
    """run-many with stderr on a 100-column pseudo-terminal: (process, what the terminal showed)."""
    primary, secondary = pty.openpty()
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    try:
        proc = subprocess.run([sys.executable, *args], stdout=subprocess.PIPE, stderr=secondary, timeout=300)
        os.close(secondary)
        secondary = -1
        shown = b""
        while True:
            try:
                chunk = os.read(primary, 65536)
            except OSError:  # EIO: the terminal's other side is closed
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(primary)
        if secondary >= 0:
            os.close(secondary)
    return proc, shown.decode("utf-8", "replace")


def test_plain_lines_on_a_terminal_without_tqdm(tmp_path):
    """tqdm is the optional 'progress' extra: without it run-many says so
    and prints a plain line per component, on a terminal too."""
    write_batch(tmp_path, 2, refused=True)
    no_tqdm = "import runpy, sys; sys.modules['tqdm'] = None; runpy.run_module('autopoietic', run_name='__main__')"
    proc, text = run_many_on_a_terminal(["-c", no_tqdm, "run-many", str(tmp_path)])
    assert proc.returncode == 1, text
    assert "no progress bar without tqdm (pip install autopoietic[progress])" in text
    assert "[3/3]" in text and "bad.py: REFUSED" in text and "\r" not in text.replace("\r\n", "\n")
    assert b"| 3 | 2 | 1 |" in proc.stdout


def test_progress_bar_on_a_terminal(tmp_path):
    pytest.importorskip("tqdm", reason="the progress extra is not installed (pip install .[progress])")
    write_batch(tmp_path, 4, refused=True)
    proc, text = run_many_on_a_terminal(["-m", "autopoietic", "run-many", str(tmp_path)])
    assert proc.returncode == 1
    assert "5/5" in text and "component" in text and "\r" in text  # tqdm's bar, redrawn in place
    assert ": ok " not in text  # no plain line per success
    assert "bad.py: REFUSED" in text  # a failure stays listed above the bar
    assert b"| 5 | 4 | 1 |" in proc.stdout
