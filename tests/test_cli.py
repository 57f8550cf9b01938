"""The command line: every documented command, human and --json output,
and clear errors instead of tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

# Commands that start a sandbox run in both execution modes (docs/design.md,
# "Execution modes"): they take execution_mode.  Argument errors, refusals
# and the linter start none and run once.

COMPONENT = '''class Greeter:
    _security_signature = "modulo_autopoiesis_data_my_greeter"
    _generated_in_sandbox = True
    def run(self):
        print("hello")
'''


def cli(*args, cwd=None, input=None):
    return subprocess.run([sys.executable, "-m", "autopoietic", *args], capture_output=True, text=True,
                          timeout=120, cwd=cwd, input=input)


def test_run_component_file(tmp_path, execution_mode):
    path = tmp_path / "my-greeter.py"  # not an identifier: the name becomes my_greeter
    path.write_text(COMPONENT)
    proc = cli("run", str(path))
    assert proc.returncode == 0, proc.stderr
    assert "isolation: unshare-namespaces" in proc.stdout and "success: True" in proc.stdout
    proc = cli("run", str(path), "--json")
    result = json.loads(proc.stdout)
    assert result["success"] is True and "hello" in result["output"]


def test_run_source_and_limits(tmp_path, execution_mode):
    path = tmp_path / "script.py"
    path.write_text("while True: pass\n")
    proc = cli("run", str(path), "--source", "--cpu-s", "0.5", "--timeout-s", "10", "--json")
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["limit_exceeded"] == "cpu_time"


def test_run_with_stdin_files_and_fetch(tmp_path, execution_mode):
    script = tmp_path / "job.py"
    script.write_text("import os, sys\n"
                      "rows = open('rows.csv').read().split()\n"
                      "os.makedirs('out', exist_ok=True)\n"
                      "open('out/count.txt', 'w').write(str(len(rows)) + sys.stdin.read())\n")
    data = tmp_path / "data.csv"
    data.write_text("a\nb\nc\n")
    proc = cli("run", "--source", str(script), "--stdin", "-", "--file", f"{data}:rows.csv", "--fetch",
               "out/count.txt", "--fetch", "missing.txt", "--fetch-dir", str(tmp_path / "got"), "--json",
               input=" rows")
    assert proc.returncode == 0, proc.stderr + proc.stdout
    result = json.loads(proc.stdout)
    assert (tmp_path / "got" / "out" / "count.txt").read_text() == "3 rows"
    assert result["files"] == {"out/count.txt": {"saved_to": str(tmp_path / "got" / "out" / "count.txt"),
                                                 "bytes": 6}}
    assert result["fetch_errors"] == {"missing.txt": "not found"}


NUMPY_COMPONENT = '''import numpy as np


class Summer:
    _security_signature = "modulo_autopoiesis_data_summer"
    _generated_in_sandbox = True

    def run(self):
        print(int(np.arange(10).sum()))
'''


def test_run_with_a_venv_s_packages(tmp_path, execution_mode):
    path = tmp_path / "summer.py"
    path.write_text(NUMPY_COMPONENT)
    base = ("run", str(path), "--python", sys.executable, "--site-packages", "--memory-mb", "256", "--json")
    proc = cli(*base)
    assert proc.returncode == 2 and "unknown-import" in proc.stdout  # the validator does not know numpy (--json)
    proc = cli(*base, "--allow-module", "numpy", "--preload", "numpy")
    assert proc.returncode == 0, proc.stderr + proc.stdout
    assert json.loads(proc.stdout)["stdout"].startswith("45\n")
    proc = cli("run", str(path), "--python", "/nonexistent/python")
    assert proc.returncode == 2 and "/nonexistent/python" in proc.stderr and "Traceback" not in proc.stderr


def test_run_reads_the_program_from_stdin(execution_mode):
    proc = cli("run", "--source", "-", "--json", input="print(6 * 7)\n")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["stdout"] == "42\n"
    proc = cli("run", "--source", "-", "--stdin", "-", input="pass")
    assert proc.returncode == 2 and "cannot both come from stdin" in proc.stderr


@pytest.mark.parametrize("args, message", [
    (["--file", "/nonexistent/x"], "cannot read /nonexistent/x"),
    (["--stdin", "/nonexistent/y"], "cannot read /nonexistent/y"),
    (["--fetch", "../up"], "fetch: path '../up'"),
    (["--file", "{script}:/etc/x"], "files: path '/etc/x' is absolute"),
])
def test_bad_run_inputs_are_clear_errors(tmp_path, args, message):
    script = tmp_path / "s.py"
    script.write_text("pass\n")
    proc = cli("run", "--source", str(script), *[a.format(script=script) for a in args])
    assert proc.returncode == 2, proc.stdout
    assert message in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("args", [["--memory-mb", "10"], ["--cpu-s", "0"], ["--timeout-s", "-1"]])
def test_bad_limits_are_clear_errors(tmp_path, args):
    path = tmp_path / "c.py"
    path.write_text(COMPONENT)
    proc = cli("run", str(path), *args)
    assert proc.returncode == 2
    assert proc.stderr.startswith("autopoietic: ") and "Traceback" not in proc.stderr
    assert "max_" not in proc.stderr  # the flags' names, not the API's


def test_refused_component(tmp_path):
    path = tmp_path / "bad.py"
    path.write_text("import os\n" + COMPONENT)
    proc = cli("run", str(path), "--json")
    assert proc.returncode == 2
    assert json.loads(proc.stdout)["findings"][0]["rule"] == "denied-import"


def test_validate_like_a_linter(tmp_path):
    path = tmp_path / "v.py"
    path.write_text("import os\nx = eval('1')\n")
    proc = cli("validate", str(path))
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert f"{path}:1:7: denied-import import of denied module 'os'" in lines
    assert any(line.startswith(f"{path}:2:4: denied-name") for line in lines)
    data = json.loads(cli("validate", str(path), "--json", "--no-markers").stdout)
    assert [f["rule"] for f in data] == ["denied-import", "denied-name"]
    clean = tmp_path / "ok.py"
    clean.write_text(COMPONENT)
    assert cli("validate", str(clean)).returncode == 0


@pytest.mark.parametrize("command", ["validate", "run"])
def test_missing_file_is_a_clear_error(tmp_path, command):
    proc = cli(command, str(tmp_path / "nope.py"))
    assert proc.returncode == 2 and "cannot read" in proc.stderr and "Traceback" not in proc.stderr


def test_bad_data_dir_is_a_clear_error(tmp_path):
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    proc = cli("demo", "--cycles", "1", "--data-dir", str(not_a_dir))
    assert proc.returncode == 2 and "cannot use" in proc.stderr and "Traceback" not in proc.stderr


def test_demo_keeps_an_existing_metrics_file(tmp_path):
    metrics = tmp_path / "monitor" / "real_metrics.json"
    metrics.parent.mkdir()
    metrics.write_text('{"phi": 0.01}')
    proc = cli("demo", "--cycles", "1", "--data-dir", str(tmp_path))
    assert "phi 0.01 -> 0.01" in proc.stdout  # below the threshold: nothing synthesized
    assert metrics.read_text() == '{"phi": 0.01}'


def test_empty_name_is_refused(tmp_path):
    path = tmp_path / "c.py"
    path.write_text(COMPONENT)
    proc = cli("run", str(path), "--name", "")
    assert proc.returncode == 2 and "plain Python identifier" in proc.stderr


def test_broken_pipe_is_quiet(tmp_path, execution_mode):
    path = tmp_path / "c.py"
    path.write_text(COMPONENT)
    proc = subprocess.run(f"{sys.executable} -m autopoietic run {path} | head -1", shell=True, capture_output=True,
                          text=True, timeout=120)
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr


def test_example(execution_mode):
    proc = cli("example", "--json")
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["success"] is True
