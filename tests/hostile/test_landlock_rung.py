"""The landlock rung under attack, on hosts that refuse namespaces for real.

Two restrictions (tests/helpers/restrict.py), each made by the kernel:
Docker's default seccomp profile (unshare and clone with CLONE_NEW* fail),
and AppArmor's restriction of unprivileged user namespaces (a user
namespace with max_user_namespaces=0, as a uid without capabilities).  In
both the ladder ends on ``landlock``, and the component, run by
run_source with the validator off, must not read or write the host's
files, the caller's working directory or this package's source, must not
reach the network, an abstract unix socket of the host or a host process
by signal, and must leave no process or directory behind.  A kernel
without Landlock (the same filter failing landlock_create_ruleset with
ENOSYS) falls to direct-execution with a WARNING naming why.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from pathlib import Path

import pytest

import autopoietic
from attack import daemon_source
from helpers import NOBODY, RESTRICT, host_processes_with



#: Run in the restricted process: every case on one sandbox object, then
#: what its temp_dir holds after each run and after cleanup().
SCENARIO = r"""
import json, logging, os, sys
logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
from autopoietic.sandbox import AutopoieticSandbox
request = json.loads(sys.argv[1])
out = {"cases": {}, "after_runs": [], "after_cleanup": None}
def leftovers():
    # what is left of a run: anything but the sandbox object's own
    # directory and a fork server's (empty) run directory
    found = []
    for dirpath, dirnames, filenames in os.walk(request["temp_dir"]):
        found += [os.path.join(dirpath, n) for n in dirnames + filenames
                  if not n.startswith(("autopoietic-", "run-"))]
    return found
with AutopoieticSandbox(temp_dir=request["temp_dir"], timeout_s=request.get("timeout_s", 20),
                        require_isolation=request["require"]) as sb:
    # "cells": every case as a cell of one session
    session = sb.session() if request.get("cells") else None
    for name, source in request["cases"].items():
        result = dict(session.run(source)) if session else sb.run_source(source)
        result["files"] = {}
        out["cases"][name] = result
        if session is None:
            out["after_runs"].append(leftovers())
    if session is not None:
        session.close()
        out["after_runs"].append(leftovers())
out["after_cleanup"] = os.listdir(request["temp_dir"])
print(json.dumps(out))
"""

ATTEMPT = """
import json, os, socket, sys
def attempt(what):
    try:
        value = what()
        return "ALLOWED: " + repr(value)[:200]
    except OSError as exc:
        return type(exc).__name__ + ": " + (exc.strerror or "")
"""


def _restricted(kind: list[str], request: dict, *, as_nobody: tuple[str, str] | None,
                timeout: float = 240) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("AUTOPOIETIC_REQUIRE_ISOLATION", None)
    python = sys.executable
    if as_nobody is not None:
        python, path = as_nobody
        env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": path, "HOME": "/tmp", "LANG": "C.UTF-8",
               **({"AUTOPOIETIC_MODE": os.environ["AUTOPOIETIC_MODE"]} if "AUTOPOIETIC_MODE" in os.environ else {})}
    command = [sys.executable, RESTRICT, *kind, "--", python, "-c", SCENARIO, json.dumps(request)]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env, cwd="/")


def _hosts() -> list:
    """(restriction, runs as uid 65534) cases this caller can build."""
    root = os.geteuid() == 0
    cases = [pytest.param(["docker"], False, id="docker")]
    if root:
        cases.append(pytest.param(["docker", "--uid", str(NOBODY)], True, id="docker-nonroot-user",
                                  marks=pytest.mark.slow))
    # as root, the userns restriction leaves the process uid 65534
    cases.append(pytest.param(["userns"], root, id="userns-max-0"))
    return cases


@pytest.fixture
def world():
    """What the component must not reach: a host canary file in a world-
    writable directory, a secret in a directory standing for the caller's
    working directory, a TCP and an abstract unix listener, a victim
    process of the caller's uid."""
    # outside pytest's 0700 tmp_path: uid 65534 must reach it
    base = Path(tempfile.mkdtemp(prefix="autopoietic-landlock-world-"))
    os.chmod(base, 0o755)
    canary_dir = base / "canary"
    canary_dir.mkdir()
    os.chmod(canary_dir, 0o777)
    canary = canary_dir / "canary.txt"
    canary.write_text("canary")
    os.chmod(canary, 0o666)
    cwd = base / "caller-cwd"
    cwd.mkdir()
    os.chmod(cwd, 0o755)
    (cwd / "secret.txt").write_text("secret")
    os.chmod(cwd / "secret.txt", 0o644)
    temp = base / "temp"
    temp.mkdir()
    os.chmod(temp, 0o777)
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.bind(("127.0.0.1", 0))
    tcp.listen(8)
    tcp.setblocking(False)
    abstract_name = f"autopoietic-landlock-{uuid.uuid4().hex}"
    unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    unix.bind("\0" + abstract_name)
    unix.listen(8)
    unix.setblocking(False)
    victim = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    yield {"canary": str(canary), "canary_dir": str(canary_dir), "cwd": str(cwd), "temp": str(temp),
           "tcp_port": tcp.getsockname()[1], "abstract": abstract_name, "victim": victim.pid,
           "tcp_socket": tcp, "unix_socket": unix, "victim_proc": victim}
    victim.kill()
    victim.wait()
    tcp.close()
    unix.close()
    shutil.rmtree(base, ignore_errors=True)


def _accepted(listener: socket.socket) -> bool:
    try:
        connection, _ = listener.accept()
    except BlockingIOError:
        return False
    connection.close()
    return True


def _cases(world: dict, marker: str, package: str) -> dict[str, str]:
    return {
        "files": ATTEMPT + textwrap.dedent(f"""
            print(json.dumps({{
                "read_canary": attempt(lambda: open({world['canary']!r}).read()),
                "write_canary": attempt(lambda: open({world['canary']!r}, "a").write("x")),
                "create_beside_canary": attempt(lambda: open({world['canary_dir'] + '/new'!r}, "w").write("x")),
                "passwd": attempt(lambda: open("/etc/passwd").read()),
                "caller_cwd": attempt(lambda: open({world['cwd'] + '/secret.txt'!r}).read()),
                "list_caller_cwd": attempt(lambda: os.listdir({world['cwd']!r})),
                "package_source": attempt(lambda: open({package!r}).read()),
                "host_proc": attempt(lambda: open("/proc/1/environ", "rb").read()),
                "own_work": attempt(lambda: open("x-work.txt", "w").write("ok")),
                "own_tmp": attempt(lambda: open(os.environ["TMPDIR"] + "/x-tmp.txt", "w").write("ok")),
            }}))
        """),
        "network": ATTEMPT + textwrap.dedent(f"""
            def tcp_connect():
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                s.connect(("127.0.0.1", {world['tcp_port']}))
            def tcp_bind():
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                s.bind(("127.0.0.1", 0))
                s.listen()
            def abstract_connect():
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect("\\0" + {world['abstract']!r})
            print(json.dumps({{"tcp_connect": attempt(tcp_connect), "tcp_bind": attempt(tcp_bind),
                               "abstract_connect": attempt(abstract_connect),
                               "socketpair": attempt(lambda: len(socket.socketpair()))}}))
        """),
        "signal": ATTEMPT + textwrap.dedent(f"""
            import signal
            print(json.dumps({{"victim": attempt(lambda: os.kill({world['victim']}, signal.SIGKILL)),
                               "parent": attempt(lambda: os.kill(os.getppid(), signal.SIGKILL)),
                               "own_group": attempt(lambda: os.kill(0, 0))}}))
        """),
        "daemon": daemon_source(marker),
        # what Landlock has no right for: limits and metadata of others
        "limits": ATTEMPT + textwrap.dedent(f"""
            import resource
            print(json.dumps({{
                "init_nofile": attempt(lambda: resource.prlimit(os.getppid(), resource.RLIMIT_NOFILE, (0, 0))),
                "victim_cpu": attempt(lambda: resource.prlimit({world['victim']}, resource.RLIMIT_CPU, (1, 1))),
            }}))
        """),
        "metadata": ATTEMPT + textwrap.dedent(f"""
            p = {world['canary']!r}
            print(json.dumps({{
                "chmod": attempt(lambda: os.chmod(p, 0o4777)),
                "utime": attempt(lambda: os.utime(p, (0, 0))),
                "xattr": attempt(lambda: os.setxattr(p, "user.autopoietic", b"1")),
                "chown": attempt(lambda: os.chown(p, -1, -1)),
            }}))
        """),
        "proc": ATTEMPT + textwrap.dedent("""
            print(json.dumps({"net": attempt(lambda: open("/proc/self/net/unix").read()),
                              "mountinfo": attempt(lambda: open("/proc/self/mountinfo").read()),
                              "status": attempt(lambda: len(open("/proc/self/status").read()) > 0)}))
        """),
        # deeper than any recursion and than PATH_MAX: still removed
        "deep": textwrap.dedent("""
            import os
            for base in (".", os.environ["TMPDIR"]):
                os.chdir(base)
                for _ in range(2500):
                    os.mkdir("d")
                    os.chdir("d")
            print("deep")
        """),
    }


def _check_host(world: dict, marker: str) -> None:
    """From outside, after the run: nothing reached the host."""
    assert Path(world["canary"]).read_text() == "canary"
    assert os.stat(world["canary"]).st_mode & 0o7777 == 0o666 and os.stat(world["canary"]).st_mtime > 1e9
    assert os.listxattr(world["canary"]) == []
    assert sorted(os.listdir(world["canary_dir"])) == ["canary.txt"]
    assert not _accepted(world["tcp_socket"]), "a TCP connection reached the host's listener"
    assert not _accepted(world["unix_socket"]), "a connection reached the host's abstract unix socket"
    assert world["victim_proc"].poll() is None, "the host process was killed"
    assert host_processes_with(marker) == [], "a daemonised grandchild outlived the run"
    assert os.listdir(world["temp"]) == [], "a work directory outlived the sandbox"


def _host_cases() -> list:
    """_hosts(), and Docker's restriction with every case as a session's cell."""
    return [pytest.param(*case.values, False, id=case.id, marks=case.marks) for case in _hosts()] + [
        pytest.param(["docker"], False, True, id="docker-session-cells")]


@pytest.mark.parametrize("kind, nobody, cells", _host_cases())
def test_landlock_rung_holds(kind, nobody, cells, world, execution_mode, request):
    as_nobody = request.getfixturevalue("nobody_python") if nobody else None
    package = (os.path.join(as_nobody[1], "autopoietic", "sandbox.py") if as_nobody
               else os.path.abspath(autopoietic.sandbox.__file__))
    marker = f"autopoietic-hostile-{uuid.uuid4().hex}"
    cases = _cases(world, marker, package)
    proc = _restricted(kind, {"temp_dir": world["temp"], "cases": cases, "require": "landlock", "cells": cells},
                       as_nobody=as_nobody)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.splitlines()[-1])
    results = out["cases"]
    for name, result in results.items():
        assert result["isolation"] == "landlock", (name, result["isolation"], result["error"][-1000:])
        assert result["namespaces"] == []
        assert result["landlock"]["abi"] >= 1 and result["landlock"]["read_write"], result["landlock"]
        assert result["success"], (name, result["error"][-2000:])
    assert "landlock rung" in proc.stderr  # the WARNING that says where runs fell to

    files = json.loads(results["files"]["output"])
    for what in ("read_canary", "write_canary", "create_beside_canary", "passwd", "caller_cwd",
                 "list_caller_cwd", "package_source", "host_proc"):
        assert files[what].startswith("PermissionError"), (what, files[what])
    assert files["own_work"] == "ALLOWED: 2" and files["own_tmp"] == "ALLOWED: 2", files

    network = json.loads(results["network"]["output"])
    for what in ("tcp_connect", "tcp_bind", "abstract_connect"):
        assert network[what].startswith("PermissionError"), (what, network[what])
    assert network["socketpair"] == "ALLOWED: 2"  # what asyncio and multiprocessing need

    signals = json.loads(results["signal"]["output"])
    assert signals["victim"].startswith("PermissionError"), signals
    assert signals["parent"].startswith("PermissionError"), signals  # the sandbox's init
    assert signals["own_group"] == "ALLOWED: None"

    assert results["daemon"]["output"] == "daemon r\n"
    limits = json.loads(results["limits"]["output"])
    assert all(v.startswith("PermissionError") for v in limits.values()), limits
    metadata = json.loads(results["metadata"]["output"])
    assert all(v.startswith("PermissionError") for v in metadata.values()), metadata
    proc_files = json.loads(results["proc"]["output"])
    assert proc_files["net"].startswith("PermissionError") and proc_files["mountinfo"].startswith("PermissionError")
    assert proc_files["status"] == "ALLOWED: True"
    assert results["deep"]["output"] == "deep\n"
    # each run's work and tmp directories are gone when the next starts
    assert all(left == [] for left in out["after_runs"]), out["after_runs"]
    assert out["after_cleanup"] == []
    _check_host(world, marker)


def test_full_isolation_required_refuses_the_landlock_rung(world):
    proc = _restricted(["docker"], {"temp_dir": world["temp"], "cases": {"x": "print(1)"}, "require": True},
                       as_nobody=None, timeout=120)
    assert proc.returncode != 0
    assert "SandboxError" in proc.stderr and "require_isolation='landlock' accepts" in proc.stderr, \
        proc.stderr[-2000:]
    assert os.listdir(world["temp"]) == []


def test_a_kernel_without_landlock_falls_to_direct_execution(world, execution_mode):
    """landlock_create_ruleset fails with ENOSYS: direct-execution, with a
    WARNING naming the reason; require_isolation='landlock' refuses."""
    request = {"temp_dir": world["temp"], "cases": {"x": "print('ran')"}, "require": False}
    proc = _restricted(["docker", "--no-landlock"], request, as_nobody=None, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.splitlines()[-1])["cases"]["x"]
    assert result["isolation"] == "direct-execution" and result["landlock"] is None
    assert result["output"] == "ran\n"
    assert "landlock rung is unavailable" in proc.stderr
    assert "landlock_create_ruleset: Function not implemented" in proc.stderr, proc.stderr[-2000:]

    request["require"] = "landlock"
    proc = _restricted(["docker", "--no-landlock"], request, as_nobody=None, timeout=120)
    assert proc.returncode != 0
    assert "neither namespaces nor Landlock" in proc.stderr, proc.stderr[-2000:]


def test_root_components_get_a_uid_of_their_own_where_it_reaches_the_interpreter(world, execution_mode):
    """As root on this rung, components run as the sandbox object's private
    uid where that uid can reach every file of the plan (a system
    interpreter), so they cannot signal or own anything of root's."""
    if os.geteuid() != 0:
        pytest.skip("root's private uid: a normal user's components are the user")
    system = f"/usr/bin/python{sys.version_info.major}.{sys.version_info.minor}"
    if not os.path.exists(system):
        pytest.skip(f"no {system}")
    script = textwrap.dedent(f"""
        import json, os
        from autopoietic.sandbox import AutopoieticSandbox
        with AutopoieticSandbox(python={system!r}, temp_dir={world['temp']!r}, timeout_s=20) as sb:
            r = sb.run_source("import os\\nopen('x', 'w').write('1')\\nprint(os.getuid(), os.getgid())\\n"
                              "os.kill({world['victim']}, 9)")
        print(json.dumps(r))
    """)
    proc = subprocess.run([sys.executable, RESTRICT, "docker", "--", sys.executable, "-c", script],
                          capture_output=True, text=True, timeout=120, cwd="/")
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.splitlines()[-1])
    assert result["isolation"] == "landlock", result["error"]
    uid = result["landlock"]["uid"]
    assert uid >= 0x70000000
    assert result["output"].split() == [str(uid), str(uid)]
    assert "PermissionError" in result["error"]  # the victim is root's
    _check_host(world, "no-daemon-here")


#: A chain of CPU-bound processes pinned to one CPU, each the parent of the
#: next, while the main process runs into the wall-clock limit: init peels
#: one generation per reap, and must not be killed before the last.
CHAIN = """
import os, sys, time
marker = sys.argv[0]
start = time.time()
def level(depth):
    os.sched_setaffinity(0, {0})
    if depth < 60 and os.fork() == 0:
        level(depth + 1)
        os._exit(0)
    while time.time() - start < 5:
        pass
    os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(120)", "MARKER"])
if os.fork() == 0:
    level(1)
time.sleep(100)
"""


@pytest.mark.parametrize("kind, nobody", _hosts())
def test_a_chain_of_busy_processes_does_not_outlive_a_timed_out_run(kind, nobody, world, execution_mode, request):
    as_nobody = request.getfixturevalue("nobody_python") if nobody else None
    marker = f"autopoietic-hostile-{uuid.uuid4().hex}"
    proc = _restricted(kind, {"temp_dir": world["temp"], "cases": {"chain": CHAIN.replace("MARKER", marker)},
                              "require": "landlock", "timeout_s": 2}, as_nobody=as_nobody)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.splitlines()[-1])["cases"]["chain"]
    assert result["isolation"] == "landlock-timeout" and result["status"] == "timeout", result["error"][-1000:]
    # a survivor would carry the marker once it stops spinning (5 s in)
    time.sleep(6)
    _check_host(world, marker)
