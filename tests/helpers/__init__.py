"""Shared helpers of the tests.  Every test runs the real sandbox: real clone(), real
rlimits, real timeouts.  A test that needs a kernel feature may skip where it
is missing, but with AUTOPOIETIC_MUST_WORK=1 (set by .ci/run) that skip is a
failure, so CI never goes green by skipping."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from autopoietic._common import MARKER_ATTRIBUTE, SIGNATURE_ATTRIBUTE, SIGNATURE_PREFIX

# time bounds, eventually() and readiness signals: helpers/timing.py
from .timing import (READY_DAEMON, TIME_FACTOR, announce, bound, eventually, processes_named,  # noqa: F401
                     ready_token, wait_ready)

MUST_WORK = os.environ.get("AUTOPOIETIC_MUST_WORK") == "1"
#: make sanitize runs the suite with AddressSanitizer preloaded
UNDER_ASAN = "libasan" in os.environ.get("LD_PRELOAD", "")
WARM_UNDER_ASAN = ("make sanitize: a warm sandbox would be a copy of an ASan process, whose shadow memory "
                   "RLIMIT_AS refuses; warm mode's C code runs under ASan in test_lowlevel_warm.py")
NOBODY = 65534


def require(condition: bool, reason: str) -> None:
    """Skip when a host feature is missing; fail instead under CI."""
    if condition:
        return
    if MUST_WORK:
        pytest.fail(f"required host feature missing (AUTOPOIETIC_MUST_WORK=1): {reason}")
    pytest.skip(reason)


#: How a test that needs root says so: a normal user's `make test` skips it
#: (never a failure, AUTOPOIETIC_MUST_WORK or not).
ROOT_ONLY = "needs root: "


#: A component that hides CPU in children nobody waits for: SIGCHLD
#: ignored, 8 children burning 0.4 s each; prints "refused 1" where the
#: sandbox refuses changing SIGCHLD's action.
IGNORED_CHILDREN_SOURCE = """
import os, signal, time
try:
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
except OSError as exc:
    print("refused", exc.errno)
    raise SystemExit(0)
for _ in range(8):
    if os.fork() == 0:
        end = time.process_time() + 0.4
        while time.process_time() < end:
            pass
        os._exit(0)
    time.sleep(0.5)
# with SIGCHLD ignored, wait() returns (ECHILD) once every child is gone,
# without their CPU time: on a loaded host the run still burns 3.2 s
try:
    os.wait()
except ChildProcessError:
    pass
print("burnt")
"""


def require_root(what: str) -> None:
    """Skip unless root: what needs it, in words."""
    if os.geteuid() != 0:
        pytest.skip(ROOT_ONLY + what)


def component(run_body: str = "return 42", *, class_name: str = "SampleComponent", name: str = "sample",
              prelude: str = "", signature: bool = True, marker: bool = True) -> str:
    """Source of a component following the protocol (docs/api.md, "The component protocol")."""
    lines = []
    if prelude:
        lines.append(textwrap.dedent(prelude).strip("\n"))
    lines.append(f"class {class_name}:")
    if signature:
        lines.append(f'    {SIGNATURE_ATTRIBUTE} = "{SIGNATURE_PREFIX}{name}"')
    if marker:
        lines.append(f"    {MARKER_ATTRIBUTE} = True")
    lines.append("    def run(self):")
    lines.append(textwrap.indent(textwrap.dedent(run_body).strip("\n"), "        "))
    return "\n".join(lines) + "\n"


def host_processes_with(token: str) -> list[int]:
    """Host pids whose command line contains token (ours excluded)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
        except OSError:
            continue
        if token.encode() in cmdline:
            found.append(int(entry))
    return found


def process_table() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, state letter) of every process visible here."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        table[int(entry)] = (int(fields[1]), fields[0])
    return table


def children_of(pid: int) -> list[tuple[int, str]]:
    """(pid, state letter) of each child of pid."""
    return [(child, state) for child, (parent, state) in process_table().items() if parent == pid]


def descendants(root: int) -> list[int]:
    """Every process below root (children, grandchildren, ...)."""
    table = process_table()
    found, frontier = [], {root}
    while frontier:
        frontier = {pid for pid, (parent, _) in table.items() if parent in frontier}
        found.extend(frontier)
    return found


def runs_as_nobody(python: str) -> bool:
    try:
        proc = subprocess.run([python, "-c", "pass"], user=NOBODY, group=NOBODY, extra_groups=[],
                              capture_output=True, timeout=30, cwd="/")
    except (OSError, subprocess.SubprocessError):
        return False
    return proc.returncode == 0


def run_as_nobody(nobody_python, script: str, timeout: float = 60, input: str | None = None):
    """Run script with uid/gid 65534, as a normal user would."""
    python, path = nobody_python
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": path, "HOME": "/tmp", "LANG": "C.UTF-8"}
    if "AUTOPOIETIC_MODE" in os.environ:  # the execution_mode fixture's
        env["AUTOPOIETIC_MODE"] = os.environ["AUTOPOIETIC_MODE"]
    return subprocess.run([python, "-c", script], user=NOBODY, group=NOBODY, extra_groups=[],
                          capture_output=True, text=True, timeout=timeout, env=env, cwd="/tmp", input=input)


NO_NAMESPACES = (
    # A user namespace with only root mapped, where no further user namespace
    # may be made (max_user_namespaces=0) and every capability is dropped: the
    # situation of root in a container without CAP_SYS_ADMIN whose policy
    # blocks user namespaces.  Real kernel refusals, nothing mocked.
    ["unshare", "--user", "--map-root-user", "--", "sh", "-c",
     'echo 0 > /proc/sys/user/max_user_namespaces && '
     'exec setpriv --bounding-set=-all --inh-caps=-all "$@"', "sh"]
)


#: Puts a process under a host's restriction (docker, userns, none), then execs.
RESTRICT = str(Path(__file__).with_name("restrict.py"))


def run_without_namespaces(script: str, env_extra: dict | None = None, *,
                           landlock: bool = False) -> subprocess.CompletedProcess:
    """Run script with sys.executable on a real host without namespaces,
    and (landlock False) whose kernel refuses Landlock too (ENOSYS, as
    one without it): the direct-execution rung."""
    require_root("building a host without namespaces")
    require(shutil.which("unshare") is not None and shutil.which("setpriv") is not None, "util-linux tools")
    env = dict(os.environ, **(env_extra or {}))
    env.pop("AUTOPOIETIC_REQUIRE_ISOLATION", None)
    env.update(env_extra or {})
    no_landlock = [] if landlock else [sys.executable, RESTRICT, "none", "--no-landlock", "--"]
    return subprocess.run([*NO_NAMESPACES, *no_landlock, sys.executable, "-c", script], capture_output=True,
                          text=True, timeout=60, env=env)
