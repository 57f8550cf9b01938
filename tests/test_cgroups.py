"""Whole-sandbox limits: each run's own cgroup, made and removed in both
modes, stale ones removed after a killed caller, the cgroup v2 code path on
what this host's v2 hierarchy offers; and what goes with them: private host
ids for root's components, masked host files in /proc, ENOSPC read as a
file-size limit only when a scratch file system is full."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from autopoietic import _cgroup
from autopoietic._rootfs import PROC_MASKED_DIRS, PROC_MASKED_FILES
from autopoietic._common import SANDBOX_UID
from autopoietic._ids import PRIVATE_ID_RANGE
from autopoietic.sandbox import AutopoieticSandbox

from helpers import IGNORED_CHILDREN_SOURCE, ROOT_ONLY, announce, eventually, ready_token, require, require_root, wait_ready


def _hierarchy() -> _cgroup.Hierarchy:
    hierarchy, note = _cgroup.discover()
    if hierarchy is None and os.geteuid() != 0:
        pytest.skip(f"{ROOT_ONLY}a cgroup to write (or one delegated to this user): {note}")
    require(hierarchy is not None, f"no cgroup can be written here: {note}")
    assert hierarchy is not None
    return hierarchy


def _ours(hierarchy: _cgroup.Hierarchy, pid: int) -> list[Path]:
    return [p for base in set(hierarchy.bases.values()) for p in Path(base).glob(f"autopoietic-{pid}-*")]


def test_no_cgroup_is_made_after_cleanup(tmp_path):
    """A sandbox cleaned up before its first run makes no cgroup later
    (cgroup_status, or a run racing cleanup() in another thread): nothing
    would remove it."""
    hierarchy = _hierarchy()
    before = set(_ours(hierarchy, os.getpid()))  # of other sandboxes of this process
    sb = AutopoieticSandbox(temp_dir=tmp_path, timeout_s=20)
    sb.cleanup()
    assert sb.cgroup_status() == ([], "the sandbox was cleaned up")
    assert set(_ours(hierarchy, os.getpid())) <= before


def test_each_run_gets_a_cgroup_and_nothing_is_left_behind(tmp_path, execution_mode):
    hierarchy = _hierarchy()
    sb = AutopoieticSandbox(temp_dir=tmp_path, timeout_s=20)
    for _ in range(3):
        result = sb.run_source("print(open('/proc/self/cgroup').read())")
        assert result["success"], result
        assert result["cgroup_controllers"] == [c for c in _cgroup.CONTROLLERS if c in hierarchy.bases]
        # a cgroup namespace of its own: the run sees its cgroup as the root
        assert all(line.endswith(":/") for line in result["output"].split()), result["output"]
    parents = _ours(hierarchy, os.getpid())
    assert parents and all(p.is_dir() for p in parents)
    # spawn mode: every run's cgroup is gone once it is reaped; warm mode:
    # only the prepared sandbox of the next run is there, once the last
    # run's init has finished exiting (warm mode answers before that)
    def runs() -> list[str]:
        return [child.name for p in parents for child in p.iterdir() if child.is_dir()]
    if execution_mode == "spawn":
        assert runs() == []
    else:
        assert eventually(lambda: len(runs()) == len(parents)), runs()
    sb.cleanup()
    assert not any(p.exists() for p in parents)


def test_the_cgroup_bounds_memory_and_pids_of_each_run(tmp_path, execution_mode):
    hierarchy = _hierarchy()
    require_root("reading the limit files of a run's cgroup")
    ready = ready_token()
    source = announce(ready) + "import time; time.sleep(60)"
    with AutopoieticSandbox(temp_dir=tmp_path, timeout_s=20, max_memory_mb=64, max_processes=7) as sb:
        import threading

        done: list[dict] = []
        thread = threading.Thread(target=lambda: done.append(sb.run_source(source)))
        thread.start()
        wait_ready(ready)  # the run is in its cgroup
        seen: dict[str, str] = {}
        for parent in _ours(hierarchy, os.getpid()):
            for run in parent.glob("run-*"):
                procs = (run / "cgroup.procs").read_text().split()
                if not procs:
                    continue  # warm mode: the standby of the next run
                for name in ("memory.limit_in_bytes", "memory.max", "pids.max"):
                    if (run / name).exists():
                        seen[name] = (run / name).read_text().strip()
        sb.cleanup()  # cancels the run
        thread.join()
    assert done and "cancelled" in done[0]["error"], done
    if "memory" in hierarchy.bases:
        assert seen.get("memory.limit_in_bytes", seen.get("memory.max")) == str(64 << 20), seen
    if "pids" in hierarchy.bases:
        assert seen.get("pids.max") == "8", seen  # 7 of the component's and init


_KILLED_CALLER = """
import sys
from autopoietic.sandbox import AutopoieticSandbox
sb = AutopoieticSandbox(timeout_s=60, mode=sys.argv[1])
sb.run_source("print(1)")
print("ran", flush=True)
sb.run_source(sys.argv[2] + "import time; time.sleep(60)")
"""


def _emptied(cgroups: list[Path]) -> bool:
    """No process left in any cgroup under these."""
    return all(not procs.read_text().split() for p in cgroups if p.exists() for procs in p.rglob("cgroup.procs"))


@pytest.mark.parametrize("mode", ["warm", "spawn"])
def test_a_killed_callers_cgroup_is_removed_by_the_next_sandbox(tmp_path, mode):
    hierarchy = _hierarchy()
    ready = ready_token()
    with subprocess.Popen([sys.executable, "-c", _KILLED_CALLER, mode, announce(ready)], stdout=subprocess.PIPE,
                          text=True, cwd=tmp_path) as proc:
        try:
            assert proc.stdout is not None and proc.stdout.readline().strip() == "ran"
            wait_ready(ready)  # the second run is in its cgroup
            stale = _ours(hierarchy, proc.pid)
            assert stale, "the caller's cgroup was not made"
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
    # its sandboxes die with it (PR_SET_PDEATHSIG), a moment later
    assert eventually(lambda: _emptied(stale))
    with AutopoieticSandbox(temp_dir=tmp_path, timeout_s=20) as sb:
        assert sb.run_source("pass")["success"]
        assert not any(p.exists() for p in stale), stale


_V2_RUN = """
import json, sys
from autopoietic.sandbox import AutopoieticSandbox
with AutopoieticSandbox(timeout_s=30, max_cpu_time_seconds=1.2) as sb:
    result = sb.run_source(sys.stdin.read())
    cgroup = sb._cgroup.get()
    parents = cgroup.parents if cgroup else ()
print(json.dumps([result, list(parents)]))
"""


def test_cgroup_v2_accounts_the_whole_tree(tmp_path, execution_mode):
    require_root("creating cgroups in this host's v2 hierarchy")
    env = dict(os.environ, AUTOPOIETIC_CGROUP="v2")
    hierarchy, note = _cgroup._v2()
    if hierarchy is None:
        pytest.skip(f"no writable cgroup v2 hierarchy: {note}")
    proc = subprocess.run([sys.executable, "-c", _V2_RUN], capture_output=True, text=True, env=env, cwd=tmp_path,
                          timeout=120, input=IGNORED_CHILDREN_SOURCE)
    assert proc.returncode == 0, proc.stderr
    result, parents = json.loads(proc.stdout.splitlines()[-1])
    assert "cpu" in result["cgroup_controllers"], result
    assert result["limit_exceeded"] == "cpu_time", result
    assert parents and all(p.startswith(hierarchy.bases["cpu"]) for p in parents)
    assert not any(os.path.exists(p) for p in parents)


def test_roots_components_get_host_ids_of_their_own(tmp_path, execution_mode):
    require_root("mapping a uid other than one's own")
    source = "print(open('/proc/self/uid_map').read().split()[-2], open('/proc/self/gid_map').read().split()[-2])"
    outside = []
    for _ in range(2):
        with AutopoieticSandbox(temp_dir=tmp_path, timeout_s=20) as sb:
            first = sb.run_source(source)
            second = sb.run_source(source)
            assert first["success"] and second["success"], first
            assert first["output"] == second["output"]  # one sandbox object, one id
            uid, gid = first["output"].split()
            outside.append(int(uid))
            assert uid == gid and PRIVATE_ID_RANGE[0] <= int(uid) < PRIVATE_ID_RANGE[1], first
            inner = sb.run_source("import os; print(os.getuid(), os.getgid())")
            assert inner["output"] == f"{SANDBOX_UID} {SANDBOX_UID}\n"
    assert outside[0] != outside[1]


def test_host_activity_files_read_empty(sandbox):
    names = [n for n in PROC_MASKED_FILES if os.path.isfile("/proc/" + n)]
    dirs = [d for d in PROC_MASKED_DIRS if os.path.isdir("/proc/" + d)]
    assert "fs" in dirs and "cgroups" in names
    assert {"diskstats", "interrupts", "partitions", "swaps", "key-users", "sys/fs/file-nr",
            "sys/fs/aio-nr", "tty/drivers"} <= set(names)
    source = ("import json\nout = {}\nfor n in %r:\n    with open('/proc/' + n, 'rb') as f:\n"
              "        out[n] = f.read().decode()\nprint(json.dumps(out))\n"
              # /dev/null under them, as runc does: a write goes nowhere
              "try:\n    open('/proc/diskstats', 'w').write('x')\nexcept OSError as e:\n    print(e.errno)\n"
              "print(repr(open('/proc/diskstats').read()))\n"
              "import os\nprint([os.listdir('/proc/' + d) for d in %r])\n" % (names, dirs))
    result = sandbox.run_source(source)
    assert result["success"], result
    lines = result["output"].splitlines()
    assert json.loads(lines[0]) == {n: "" for n in names}
    assert lines[-2] == "''", lines
    assert lines[-1] == str([[] for _ in dirs]), lines
    # what the C library and os.cpu_count read still reads
    assert sandbox.run_source("import os; print(os.cpu_count() > 0, open('/proc/stat').read()[:3])")[
        "output"] == "True cpu\n"


def test_enospc_from_anything_but_a_scratch_file_system_is_no_file_size(sandbox):
    result = sandbox.run_source("import errno, os\nraise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))")
    assert result["limit_exceeded"] is None and not result["success"], result
    full = sandbox.run_source("with open('/tmp/fill', 'wb') as f:\n    while True:\n        f.write(b'x' * 65536)")
    assert full["limit_exceeded"] == "file_size", full


def _probe_run(plan, namespaces=("user", "pid", "mnt", "cgroup")):
    from autopoietic import _sandbox

    python = os.path.realpath(sys.executable)
    return _sandbox.run([python, "-I", "-S", "-c", "import os; print(open('/proc/self/cgroup').read()); "
                         # 0.2 s of CPU, however fast the machine is this moment
                         "import time; end = time.process_time() + 0.2\nwhile time.process_time() < end: pass"],
                        [], "/", namespaces=namespaces, timeout_s=20, cgroup=plan,
                        uid_map=f"65534 {os.geteuid()} 1\n", gid_map=f"65534 {os.getegid()} 1\n")


@pytest.mark.parametrize("join", ["procs", "tasks", "clone_into"])
def test_every_join_method_puts_init_inside_before_it_runs(join):
    from autopoietic import _sandbox

    require_root("making cgroups with each way of joining them")
    v1, _ = _cgroup._v1()
    v2, v2_note = _cgroup._v2()
    hierarchy = v2 if join == "clone_into" else v1
    if hierarchy is None:
        pytest.skip(f"no writable cgroup {'v2' if join == 'clone_into' else 'v1'} hierarchy: {v2_note}")
    assert hierarchy is not None
    cgroup = _cgroup.SandboxCgroup(hierarchy, 64 << 20, 10)
    try:
        plan = cgroup.plan[:6] + ({"procs": _sandbox.CGROUP_JOIN_PROCS, "tasks": _sandbox.CGROUP_JOIN_TASKS,
                                   "clone_into": _sandbox.CGROUP_JOIN_CLONE_INTO}[join],)
        raw = _probe_run(plan)
        assert raw["exit_code"] == 0, raw
        # its cgroup namespace is rooted at the run's cgroup: it was inside
        # before it made it, and so is every process it starts
        assert all(line.endswith(":/") for line in raw["stdout"].decode().split()), raw["stdout"]
        assert raw["cpu_s"] > 0.05, raw
        assert not [p for parent in cgroup.parents for p in Path(parent).glob("run-*")]
    finally:
        cgroup.remove()


def test_a_cgroup_that_cannot_be_made_is_a_setup_error():
    from autopoietic import _sandbox

    require_root("making cgroups")
    hierarchy = _hierarchy()
    cgroup = _cgroup.SandboxCgroup(hierarchy, 64 << 20, 10)
    try:
        missing = (("/sys/fs/cgroup/no-such-hierarchy",),) + cgroup.plan[1:]
        missing = (missing[0], (), (-1, "", None), 1e-9, (-1, "", None), (-1, "", None), cgroup.plan[6])
        raw = _probe_run(missing)
        assert raw["setup_error"] is not None and raw["setup_error"][:2] == ("cgroup", errno.ENOENT), raw
        if "pids" in hierarchy.bases:
            index = [i for i, p in enumerate(cgroup.parents) if p.startswith(hierarchy.bases["pids"])][0]
            bad = cgroup.plan[:1] + (((index, "pids.max", "lots"),),) + cgroup.plan[2:]
            raw = _probe_run(bad)
            assert raw["setup_error"] is not None and raw["setup_error"][:2] == ("cgroup", errno.EINVAL), raw
        assert not [p for parent in cgroup.parents for p in Path(parent).glob("run-*")]
    finally:
        cgroup.remove()


@pytest.mark.parametrize("plan, error", [
    ("not a plan", TypeError),
    ((("/a",), (), (-1, "", None), 1e-9, (-1, "", None), (-1, "", None)), TypeError),  # no join
    (((), (), (-1, "", None), 1e-9, (-1, "", None), (-1, "", None), 1), ValueError),  # no hierarchy
    ((("relative",), (), (-1, "", None), 1e-9, (-1, "", None), (-1, "", None), 1), ValueError),
    ((("/a",), ((1, "pids.max", "5"),), (-1, "", None), 1e-9, (-1, "", None), (-1, "", None), 1), ValueError),
    ((("/a",), ((0, "../escape", "5"),), (-1, "", None), 1e-9, (-1, "", None), (-1, "", None), 1), ValueError),
    ((("/a",), (), (0, "a/b", None), 1e-9, (-1, "", None), (-1, "", None), 1), ValueError),
    ((("/a",), (), (-1, "", None), 0.0, (-1, "", None), (-1, "", None), 1), ValueError),
    ((("/a",), (), (-1, "", None), 1e-9, (-1, "", None), (-1, "", None), 7), ValueError),
    ((["/a"], (), (-1, "", None), 1e-9, (-1, "", None), (-1, "", None), 1), TypeError),  # lists: not used in place
])
def test_a_malformed_cgroup_plan_is_refused_before_anything_runs(plan, error):
    from autopoietic import _sandbox

    with pytest.raises(error):
        _sandbox.run(["/bin/true"], [], "/", timeout_s=5, cgroup=plan)


def test_private_ids_avoid_subordinate_ranges(monkeypatch):
    from autopoietic import _ids

    low, high = PRIVATE_ID_RANGE
    # every id of the range is some user's subordinate id (/etc/subuid):
    # none may be handed out
    monkeypatch.setattr(_ids, "subordinate_ranges", lambda: [(low, high)])
    assert _ids.free_private_id() is None
    monkeypatch.setattr(_ids, "subordinate_ranges", lambda: [])
    given = {_ids.free_private_id() for _ in range(5)}
    if None not in given:  # this user namespace maps the range (root on the host)
        assert len(given) == 5 and all(low <= i < high for i in given)
