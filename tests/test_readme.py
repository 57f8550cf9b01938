"""The README's "Using it at scale" examples, run exactly as written: a
user copies them, so they must work."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import require

README = Path(__file__).resolve().parent.parent / "README.md"


def scale_examples() -> list[tuple[str, str]]:
    """(language, code) of every fenced block in "## Using it at scale"."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Using it at scale", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```(python|sh)\n(.*?)```", section, flags=re.S)


def test_the_section_has_the_three_examples():
    assert [lang for lang, _ in scale_examples()] == ["python", "sh", "python"]


@pytest.mark.parametrize("index", range(3), ids=["executor", "run-many", "dask"])
def test_example_runs_as_written(index, tmp_path):
    lang, code = scale_examples()[index]
    if "dask" in code:
        try:
            import dask.distributed  # noqa: F401
        except ImportError:
            require(False, "the dask extra is not installed (pip install .[dask])")
    # `python` on PATH is this interpreter, as in an activated venv
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ.get('PATH', '/usr/bin:/bin')}")
    if lang == "python":
        script = tmp_path / "example.py"
        script.write_text(code)
        proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300,
                              cwd=tmp_path, env=env)
    else:
        proc = subprocess.run(["bash", "-e", "-c", code], capture_output=True, text=True, timeout=300,
                              cwd=tmp_path, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    expected = {0: "100 components, all succeeded", 1: "| 1 | 1 | 0 |", 2: "20 of 20 succeeded"}[index]
    assert expected in proc.stdout
    if index == 1:
        assert (tmp_path / "results.jsonl").read_text().count('"success": true') == 1
