"""The examples of README.md and docs/*.md, run exactly as written, with
the real sandbox: a user copies them, so they must work.

Every fenced block opened with ```python or ```sh runs, each as its own
script in an empty directory with this interpreter first on PATH (as in an
activated venv), and must exit with status 0; what an example promises,
it asserts itself.  A block is left out only when the line right before
its fence is an HTML comment ``<!-- not run: REASON -->`` (invisible on a
rendered page); the reason is shown here as the skip's.  Commands shown as
indented text (four spaces, no fence) are not run: that is how the docs
show commands that install or take minutes (make, pip, apt-get).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import pytest

from helpers import require

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```(python|sh)\n(.*?)^```$", flags=re.S | re.M)
NOT_RUN = re.compile(r"<!-- not run: (.+?) -->\s*$")


class Example(NamedTuple):
    path: Path
    line: int  # of the opening fence, 1-based
    lang: str
    code: str
    not_run: str | None  # the documented reason, or None

    @property
    def id(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def examples(path: Path) -> list[Example]:
    text = path.read_text(encoding="utf-8")
    found = []
    for match in FENCE.finditer(text):
        before = text[:match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        marker = NOT_RUN.search(before)
        found.append(Example(path, text.count("\n", 0, match.start()) + 1, match.group(1), match.group(2),
                             marker.group(1) if marker else None))
    return found


ALL = [example for path in DOCUMENTS for example in examples(path)]


def test_the_examples_are_found():
    """The README's two and the scale examples of docs/api.md (Executor,
    run-many, Dask) at least: a broken fence would silently drop them."""
    by_file: dict[str, int] = {}
    for example in ALL:
        name = example.path.relative_to(ROOT).as_posix()
        by_file[name] = by_file.get(name, 0) + 1
    assert by_file.get("README.md", 0) >= 2, by_file
    api = [e.code for e in ALL if e.path.name == "api.md"]
    assert any("SandboxExecutor" in c for c in api) and any("run-many" in c for c in api) \
        and any("run_on_dask" in c for c in api), api
    assert all(e.not_run is None or e.not_run.strip() for e in ALL)


@pytest.mark.parametrize("example", ALL, ids=[e.id for e in ALL])
def test_example_runs_as_written(example: Example, tmp_path: Path):
    if example.not_run is not None:
        pytest.skip(f"marked not runnable: {example.not_run}")
    if "dask" in example.code:
        try:
            import dask.distributed  # noqa: F401
        except ImportError:
            require(False, "the dask extra is not installed (pip install .[dask])")
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ.get('PATH', '/usr/bin:/bin')}")
    if example.lang == "python":
        script = tmp_path / "example.py"
        script.write_text(example.code, encoding="utf-8")
        command = [sys.executable, str(script)]
    else:
        command = ["bash", "-e", "-o", "pipefail", "-c", example.code]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=tmp_path, env=env)
    assert proc.returncode == 0, f"{example.id} failed:\n{proc.stdout}{proc.stderr}"
    if "python -m autopoietic run-many" in example.code and "results.jsonl" in example.code:
        # the summary table and one record per component, as docs/api.md says
        assert "| 1 | 1 | 0 |" in proc.stdout, proc.stdout
        assert (tmp_path / "results.jsonl").read_text().count('"success": true') == 1


def test_help_is_plain_text():
    """``python -m autopoietic --help`` reads as written: no reST markup,
    no command name broken across lines, the exit statuses listed."""
    proc = subprocess.run([sys.executable, "-m", "autopoietic", "--help"], capture_output=True, text=True,
                          timeout=60, env=dict(os.environ, COLUMNS="60"))
    assert proc.returncode == 0, proc.stderr
    assert "``" not in proc.stdout
    assert not re.search(r"\w-\n", proc.stdout), proc.stdout
    assert "exit status:" in proc.stdout and "docs/api.md" in proc.stdout


def _anchors(path: Path) -> set[str]:
    """GitHub's anchors of a Markdown file's headings."""
    found = set()
    for heading in re.findall(r"^#+ (.+)$", path.read_text(encoding="utf-8"), flags=re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        found.add(slug)
    return found


@pytest.mark.parametrize("path", [*DOCUMENTS, ROOT / "SECURITY.md", ROOT / "CHANGELOG.md"],
                         ids=lambda p: p.relative_to(ROOT).as_posix())
def test_links_resolve(path: Path):
    """Every relative link of the docs names a file that exists, and a
    heading of it where it names one."""
    text = re.sub(r"^```.*?^```$", "", path.read_text(encoding="utf-8"), flags=re.S | re.M)
    broken = []
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target):
            continue  # a URL
        file, _, anchor = target.partition("#")
        linked = (path.parent / file).resolve() if file else path
        if not linked.exists() or (anchor and anchor not in _anchors(linked)):
            broken.append(target)
    assert not broken, f"{path.name}: {broken}"
