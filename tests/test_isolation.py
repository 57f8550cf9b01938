"""What the namespaces hide, what does not survive a run, and the paths for
an unprivileged caller and for a host without namespaces."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
import uuid

import pytest

from autopoietic import _rootfs
from autopoietic.sandbox import AutopoieticSandbox, SandboxError

from helpers import (READY_DAEMON as DAEMON, announce, bound, eventually, host_processes_with, ready_token, require, require_root,
                     run_as_nobody, run_without_namespaces, wait_ready)

TESTS = os.path.dirname(os.path.abspath(__file__))

# Tests that start a sandbox (here or in a child process) run in both
# execution modes (docs/design.md, "Execution modes"), through the sandbox
# fixture or execution_mode; the raw C call, spawn-only cases and pure
# helpers run once.


def test_own_pid_namespace(sandbox):
    result = sandbox.run_source(
        "import os\n"
        "print(os.getpid())\n"
        "print(sorted(int(p) for p in os.listdir('/proc') if p.isdigit()))\n"
    )
    assert result["success"], result["error"]
    pid_line, listing = result["output"].splitlines()
    assert int(pid_line) in (1, 2)
    assert json.loads(listing) == [1, 2]  # init and us: no host process is listed


def test_cannot_signal_host_processes(sandbox):
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        result = sandbox.run_source(
            "import os\n"
            f"try:\n    os.kill({sleeper.pid}, 9)\n    print('sent')\n"
            "except ProcessLookupError:\n    print('no such process')\n"
        )
        assert result["output"].strip() in ("no such process", "sent")
        time.sleep(0.1)
        assert sleeper.poll() is None, "a host process was killed from inside the sandbox"
    finally:
        sleeper.kill()
        sleeper.wait()


def test_own_hostname(sandbox):
    result = sandbox.run_source(
        "import socket\n"
        "print(socket.gethostname())\n"
        "try:\n    socket.sethostname('changed-inside')\n    print(socket.gethostname())\n"
        "except OSError as e:\n    print('refused', e.errno)\n"
    )
    assert result["success"], result["error"]
    inside = result["output"].splitlines()[0]
    assert inside == "sandbox"
    assert inside != socket.gethostname()
    assert socket.gethostname() != "changed-inside"


def test_no_internet_sockets(sandbox):
    """The seccomp filter allows AF_UNIX sockets only."""
    result = sandbox.run_source(
        "import socket\n"
        "for family in (socket.AF_INET, socket.AF_INET6, socket.AF_NETLINK, socket.AF_PACKET):\n"
        "    try:\n        socket.socket(family, socket.SOCK_DGRAM if family != socket.AF_PACKET else socket.SOCK_RAW)\n"
        "        print('created', family)\n"
        "    except PermissionError:\n        print('refused', family)\n"
        "socket.socket(socket.AF_UNIX).close()\nprint('unix ok')\n"
    )
    assert result["success"], result["error"]
    assert "created" not in result["output"]
    assert result["output"].count("refused") == 4 and "unix ok" in result["output"]


def test_network_namespace_has_only_loopback():
    """The network namespace on its own (seccomp off) holds only lo."""
    from autopoietic import _sandbox

    raw = _sandbox.run([os.path.realpath(sys.executable), "-I", "-S", "-c",
                        "import socket; print([n for _, n in socket.if_nameindex()])"], [], "/",
                       namespaces=("user", "pid", "net", "mnt"), timeout_s=10, seccomp=False,
                       uid_map=f"65534 {os.geteuid()} 1\n", gid_map=f"65534 {os.getegid()} 1\n")
    assert raw["stdout"] == b"['lo']\n", raw


def test_cannot_reach_a_host_listener(execution_mode):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    try:
        with AutopoieticSandbox(timeout_s=10) as sb:
            result = sb.run_source(
                "import socket\n"
                f"try:\n    socket.create_connection(('127.0.0.1', {port}), timeout=2)\n    print('connected')\n"
                "except OSError as e:\n    print('failed', type(e).__name__)\n"
            )
        assert result["output"].startswith("failed"), result
        # a connection made during the run would wait in the backlog now
        listener.setblocking(False)
        with pytest.raises(BlockingIOError):
            listener.accept()
    finally:
        listener.close()


def test_daemonised_grandchild_does_not_survive(sandbox):
    token = f"autopoietic-daemon-{uuid.uuid4().hex}"
    result = sandbox.run_source(textwrap.dedent(f"""
        import os, sys
        r, w = os.pipe()
        if os.fork() == 0:
            if os.fork() == 0:
                try:
                    os.setsid()
                except OSError:
                    pass
                os.set_inheritable(w, True)
                os.execv(sys.executable, [sys.executable, "-c", {DAEMON!r}, str(w), "{token}"])
            os._exit(0)
        os.close(w)
        print("daemon", os.read(r, 1).decode())  # it is up and running
    """))
    assert result["success"], result["error"]
    assert result["output"] == "daemon r\n"
    assert host_processes_with(token) == []


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_parent_death_takes_the_sandbox_along(tmp_path, signum, execution_mode):
    """PR_SET_PDEATHSIG: kill the caller mid-run; nothing of the run stays."""
    token = f"autopoietic-orphan-{uuid.uuid4().hex}"
    script = textwrap.dedent(f"""
        import sys
        from autopoietic.sandbox import AutopoieticSandbox
        sb = AutopoieticSandbox(temp_dir={str(tmp_path)!r}, timeout_s=60)
        print("ready", flush=True)
        sb.run_source("import os, sys, time\\nos.execv(sys.executable, [sys.executable, '-c', 'import time; time.sleep(60)', '{token}'])")
    """)
    caller = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert caller.stdout.readline().strip() == "ready"
        assert eventually(lambda: host_processes_with(token), 10), "the sandboxed process never started"
        caller.send_signal(signum)
        caller.wait(timeout=10)
    finally:
        caller.kill()
        caller.wait()
        caller.stdout.close()
    assert eventually(lambda: host_processes_with(token) == [], 5)


def test_keyboard_interrupt_kills_the_tree_and_raises(tmp_path, execution_mode):
    token = f"autopoietic-sigint-{uuid.uuid4().hex}"
    ready = ready_token()
    program = announce(ready) + "import time; time.sleep(60)"  # after the exec: exec renames the thread
    source = f"import os, sys\nos.execv(sys.executable, [sys.executable, '-c', {program!r}, {token!r}])"
    script = textwrap.dedent(f"""
        import os, signal, sys, threading, time
        # Python leaves SIGINT ignored when its parent did (a job started
        # with & by a non-interactive shell): the caller's case is a terminal
        signal.signal(signal.SIGINT, signal.default_int_handler)
        sys.path.insert(0, {TESTS!r})
        from helpers.timing import wait_ready
        from autopoietic.sandbox import AutopoieticSandbox
        sb = AutopoieticSandbox(temp_dir={str(tmp_path)!r}, timeout_s=60)
        sent = []

        def interrupt():
            wait_ready({ready!r})  # the run is in its sandbox
            sent.append(time.monotonic())
            os.kill(os.getpid(), signal.SIGINT)

        threading.Thread(target=interrupt, daemon=True).start()
        try:
            sb.run_source({source!r})
        except KeyboardInterrupt:
            print("interrupted after", round(time.monotonic() - sent[0], 2))
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert "interrupted after" in proc.stdout, proc.stderr
    assert float(proc.stdout.split()[-1]) < bound(1.0)  # the run sleeps 60 s
    assert host_processes_with(token) == []


def test_gil_is_released_while_waiting(sandbox):
    """Another thread keeps running Python while a sandbox sleeps."""
    counter = [0]
    stop = threading.Event()

    def spin():
        while not stop.is_set():
            counter[0] += 1

    thread = threading.Thread(target=spin)
    thread.start()
    try:
        sandbox.run_source("import time\ntime.sleep(0.5)")
    finally:
        stop.set()
        thread.join()
    assert counter[0] > 10_000


def test_parallel_runs_overlap(sandbox):
    """4 runs of one sandbox object from 4 threads were all running at one
    moment (CLOCK_MONOTONIC is the host's inside the namespaces): in
    parallel, not in series, however loaded the host."""
    results = []
    source = "import time\nprint(time.monotonic())\ntime.sleep(0.5)\nprint(time.monotonic())"
    threads = [threading.Thread(target=lambda: results.append(sandbox.run_source(source))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 4 and all(r["success"] for r in results), results
    spans = [tuple(float(x) for x in r["output"].split()) for r in results]
    assert max(start for start, _ in spans) < min(end for _, end in spans)


def test_clean_environment_and_closed_fds(sandbox):
    os.environ["AUTOPOIETIC_TEST_SECRET"] = "do-not-leak"
    keep = os.open("/dev/null", os.O_RDONLY)  # inheritable in the parent
    os.set_inheritable(keep, True)
    try:
        result = sandbox.run_source(
            "import os\n"
            "print(sorted(os.environ))\n"
            "print(sorted(int(fd) for fd in os.listdir('/proc/self/fd')))\n"
        )
    finally:
        del os.environ["AUTOPOIETIC_TEST_SECRET"]
        os.close(keep)
    env_line, fd_line = result["output"].splitlines()
    assert "AUTOPOIETIC_TEST_SECRET" not in env_line
    # 0-2 stdio, 3 the nonce pipe (read after the run), 4 the verdict, 5 the
    # listing itself; the caller's inheritable fd is not there
    assert json.loads(fd_line) == [0, 1, 2, 3, 4, 5]


def test_unprivileged_caller_gets_namespaces(nobody_python, execution_mode):
    """A normal user (uid 65534 here) gets full isolation, no sudo needed."""
    script = textwrap.dedent("""
        import json, os
        from autopoietic.sandbox import AutopoieticSandbox
        with AutopoieticSandbox(timeout_s=20) as sb:
            good = sb.execute_component(
                "class C:\\n    _security_signature = 'modulo_autopoiesis_data_c'\\n"
                "    _generated_in_sandbox = True\\n    def run(self):\\n        print('hi')\\n", "c")
            probe = sb.run_source("import os, socket\\nprint(os.getpid(), socket.gethostname())")
            limited = AutopoieticSandbox(max_cpu_time_seconds=30, timeout_s=0.5).run_source("while True: pass")
        print(json.dumps({"uid": os.getuid(), "good": good, "probe": probe, "limited": limited}))
    """)
    proc = run_as_nobody(nobody_python, script)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.splitlines()[-1])
    assert out["uid"] == 65534
    assert out["good"]["success"] is True, out["good"]["error"]
    assert out["good"]["isolation"] == "unshare-namespaces"
    assert "user" in out["good"]["namespaces"]
    pid, hostname = out["probe"]["output"].split()
    assert int(pid) in (1, 2) and hostname == "sandbox"
    assert out["limited"]["isolation"] == "unshare-namespaces-timeout"


def test_fallback_to_direct_execution_with_warning(execution_mode):
    script = textwrap.dedent("""
        import json, logging
        logging.basicConfig(level=logging.WARNING, format="LOG %(levelname)s %(message)s")
        from autopoietic.sandbox import AutopoieticSandbox
        with AutopoieticSandbox(timeout_s=20) as sb:
            ok = sb.execute_component(
                "class C:\\n    _security_signature = 'modulo_autopoiesis_data_c'\\n"
                "    _generated_in_sandbox = True\\n    def run(self):\\n        print('hi')\\n", "c")
            mem = sb.run_source("x = bytearray(1 << 30)")
            again = sb.run_source("print('second run')")
        with AutopoieticSandbox(timeout_s=0.5) as sb:
            slow = sb.run_source("while True: pass")
        print(json.dumps({"ok": ok, "mem": mem, "again": again, "slow": slow}))
    """)
    proc = run_without_namespaces(script)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.splitlines()[-1])
    assert out["ok"]["success"] is True, out["ok"]["error"]
    assert out["ok"]["isolation"] == "direct-execution"
    assert out["ok"]["namespaces"] == []
    assert out["mem"]["limit_exceeded"] == "memory"
    assert out["again"]["output"] == "second run\n"
    assert out["slow"]["isolation"] == "direct-execution-timeout"
    warnings = [line for line in proc.stderr.splitlines() if line.startswith("LOG WARNING")]
    # each rung of the ladder that failed is said once per process, with its reason
    # (user+net, net, user, none: 4 namespace rungs for root, the last one
    # naming the landlock rung next), then why the landlock rung is out
    assert len(warnings) == 5, proc.stderr
    assert len(set(warnings)) == 5
    to_landlock = [w for w in warnings if "fall back to the landlock rung" in w]
    assert len(to_landlock) == 1 and "namespaces are unavailable" in to_landlock[0] and "clone" in to_landlock[0]
    final = [w for w in warnings if "fall back to direct-execution" in w]
    assert len(final) == 1 and "landlock_create_ruleset: Function not implemented" in final[0]


def test_fallback_daemon_is_killed_too(execution_mode):
    """Direct execution: init is a child subreaper and kills what is left."""
    token = f"autopoietic-direct-daemon-{uuid.uuid4().hex}"
    script = textwrap.dedent(f"""
        import json
        from autopoietic.sandbox import AutopoieticSandbox
        with AutopoieticSandbox(timeout_s=20) as sb:
            r = sb.run_source(
                "import os, sys\\n"
                "r, w = os.pipe()\\n"
                "if os.fork() == 0:\\n"
                "    if os.fork() == 0:\\n"
                "        os.setsid()\\n"
                "        os.set_inheritable(w, True)\\n"
                "        os.execv(sys.executable, [sys.executable, '-c', {DAEMON!r}, str(w), '{token}'])\\n"
                "    os._exit(0)\\n"
                "os.close(w)\\n"
                "print('daemon', os.read(r, 1).decode())\\n")
        print(json.dumps(r))
    """)
    proc = run_without_namespaces(script)
    assert proc.returncode == 0, proc.stderr
    r = json.loads(proc.stdout.splitlines()[-1])
    assert r["isolation"] == "direct-execution" and r["output"] == "daemon r\n", r
    assert host_processes_with(token) == []


def test_require_isolation_refuses_without_namespaces(execution_mode):
    script = textwrap.dedent("""
        from autopoietic.sandbox import AutopoieticSandbox, SandboxError
        try:
            AutopoieticSandbox(timeout_s=20).run_source("print(1)")
        except SandboxError as exc:
            print("refused:", exc)
    """)
    proc = run_without_namespaces(script, {"AUTOPOIETIC_REQUIRE_ISOLATION": "1"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("refused: isolation is required but full isolation")
    assert "user.max_user_namespaces" in proc.stdout or "not permitted" in proc.stdout


def test_setup_failure_is_an_error_result(tmp_path, monkeypatch):
    """A child-side setup failure comes back as (stage, errno), isolation 'error'."""
    # an interpreter that works on the host but not in the minimal root:
    # a shell script, and there is no /bin/sh inside
    wrapper = tmp_path / "bin" / "python-wrapper"
    wrapper.parent.mkdir()
    wrapper.write_text(f'#!/bin/sh\nexec {os.path.realpath(sys.executable)} "$@"\n')
    wrapper.chmod(0o755)
    # spawn mode: warm mode execs no interpreter in the sandbox
    with AutopoieticSandbox(temp_dir=tmp_path, mode="spawn") as sb:
        monkeypatch.setattr(sb._plan, "python", str(wrapper))
        result = sb.run_source("print(1)")
    assert result["isolation"] == "error"
    assert result["success"] is False
    assert result["error"].startswith("sandbox setup failed at stage exec: No such file or directory")


def test_mount_failure_is_an_error_result_naming_the_mount(tmp_path, monkeypatch, execution_mode):
    """A root file system plan that cannot be built (here: a bind mount of a
    host path that is gone) ends as isolation 'error' naming the failing
    mount, in both modes, and nothing runs."""
    plan = _rootfs.mount_ops

    def plan_with_missing_source(*args, **kwargs):
        ops = plan(*args, **kwargs)
        pivot = next(i for i, op in enumerate(ops) if op[0] == "pivot")
        new_root = ops[pivot][2]
        return [*ops[:pivot], ("mkdir", None, f"{new_root}/gone", 0, None),
                ("bind", str(tmp_path / "no-such-dir"), f"{new_root}/gone", 0, None), *ops[pivot:]]

    monkeypatch.setattr(_rootfs, "mount_ops", plan_with_missing_source)
    with AutopoieticSandbox(temp_dir=tmp_path) as sb:
        result = sb.run_source("print('ran')")
    assert result["isolation"] == "error" and result["success"] is False
    assert result["output"] == ""
    assert result["error"].startswith("sandbox setup failed at stage mount (bind "), result["error"]
    assert "no-such-dir" in result["error"] and "No such file or directory" in result["error"]


def test_missing_interpreter_is_a_sandbox_error(tmp_path, monkeypatch, execution_mode):
    with AutopoieticSandbox(temp_dir=tmp_path) as sb:
        monkeypatch.setattr(sb._plan, "python", str(tmp_path / "no-such-python"))
        with pytest.raises(SandboxError, match="cannot prepare the sandbox's root file system"):
            sb.run_source("print(1)")
        assert list((tmp_path).glob("autopoietic-*/run-*")) == []


def test_require_isolation_keeps_working_where_namespaces_exist(tmp_path, execution_mode):
    with AutopoieticSandbox(temp_dir=tmp_path, require_isolation=True) as sb:
        result = sb.run_source("print('isolated')")
    assert result["isolation"] == "unshare-namespaces"


def test_sandbox_error_carries_empty_findings_when_not_the_validator():
    err = SandboxError("x")
    assert err.findings == []


def test_callers_pipes_are_not_held_by_a_running_sandbox(sandbox):
    """init is a copy of the caller: it must drop the caller's fds at once,
    or a pipe the caller closes would not reach EOF while a sandbox runs."""
    read_end, write_end = os.pipe()
    ready = ready_token()
    results: list[dict] = []
    thread = threading.Thread(target=lambda: results.append(
        sandbox.run_source(announce(ready) + "import time\ntime.sleep(60)")))
    thread.start()
    try:
        wait_ready(ready)  # the sandbox is running and was cloned while write_end was open
        os.close(write_end)
        start = time.monotonic()
        assert os.read(read_end, 1) == b""
        assert time.monotonic() - start < bound(1.0)  # held by the run, EOF would wait for its 60 s
    finally:
        os.close(read_end)
        sandbox.cleanup()  # cancels the run
        thread.join()
    assert "cancelled" in results[0]["error"], results


@pytest.mark.slow  # 40 runs, 4 s here
def test_concurrent_runs_do_not_wait_for_each_other(sandbox):
    """Every run of 4 threads x 10 finishes on its own, none hits a timeout."""
    results = []

    def work():
        for _ in range(10):
            results.append(sandbox.run_source("print('ok')"))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 40
    assert all(r["success"] and r["output"] == "ok\n" for r in results), [r["error"] for r in results if not r["success"]]
    assert max(r["execution_time"] for r in results) < bound(5)  # a run that waited would hit its 20 s


def test_transient_clone_failure_does_not_downgrade_isolation(nobody_python, execution_mode):
    """EAGAIN from clone (the caller's own process limit) fails that run as
    'error'; the next run is isolated again, never silently direct.  In warm
    mode this thread has no fork server yet when the limit is set: its start
    fails, that run falls back to spawn (and fails too), the next one has a
    server."""
    script = textwrap.dedent("""
        import json, resource, threading
        from autopoietic.sandbox import AutopoieticSandbox
        soft, hard = resource.getrlimit(resource.RLIMIT_NPROC)
        with AutopoieticSandbox(timeout_s=20) as sb:
            # the root file system's plan is made (and cached) here; in warm
            # mode by another thread, whose fork server ends with it
            first = threading.Thread(target=sb.run_source, args=("pass",))
            first.start()
            first.join()
            resource.setrlimit(resource.RLIMIT_NPROC, (1, hard))
            starved = sb.run_source("print(1)")
            resource.setrlimit(resource.RLIMIT_NPROC, (soft, hard))
            again = sb.run_source("print(2)")
        print(json.dumps([starved, again]))
    """)
    proc = run_as_nobody(nobody_python, script)
    assert proc.returncode == 0, proc.stderr
    starved, again = json.loads(proc.stdout.splitlines()[-1])
    assert starved["isolation"] == "error" and "clone" in starved["error"]
    assert again["isolation"] == "unshare-namespaces" and again["output"] == "2\n"
    assert "direct-execution" not in proc.stderr


def test_init_shows_nothing_of_the_callers_command_line(execution_mode):
    secret = f"secret-argument-{uuid.uuid4().hex}"
    script = textwrap.dedent("""
        import sys
        from autopoietic.sandbox import AutopoieticSandbox
        with AutopoieticSandbox(timeout_s=20) as sb:
            r = sb.run_source("print(repr(open('/proc/1/cmdline', 'rb').read()))")
        print(r["output"], end="")
    """)
    proc = subprocess.run([sys.executable, "-c", script, secret], capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, AUTOPOIETIC_SECRET=secret))
    assert proc.returncode == 0, proc.stderr
    assert secret not in proc.stdout
    assert proc.stdout.strip().strip("b'").replace("\\x00", "") == ""


def test_remove_tree_handles_a_permission_trap(nobody_python):
    """A component that removed its own permission bits (as a normal user,
    where the work dir is the host's) cannot make cleanup fail."""
    script = textwrap.dedent("""
        import os, tempfile
        from autopoietic._workdirs import remove_tree as _remove_tree
        root = tempfile.mkdtemp()
        os.makedirs(os.path.join(root, "trap", "inner", "deeper"))
        open(os.path.join(root, "trap", "inner", "f"), "w").close()
        os.chmod(os.path.join(root, "trap", "inner"), 0)
        os.chmod(os.path.join(root, "trap"), 0)
        _remove_tree(root)
        print(os.path.exists(root))
    """)
    proc = run_as_nobody(nobody_python, script)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False"


def test_require_isolation_refuses_a_partial_rung(execution_mode):
    """A host where a network namespace cannot be made (max_net_namespaces
    0): the ladder would run without one; require_isolation refuses."""
    script = textwrap.dedent("""
        import json
        from autopoietic.sandbox import AutopoieticSandbox, SandboxError
        with AutopoieticSandbox(timeout_s=20) as sb:
            partial = sb.run_source("print(1)")
        try:
            AutopoieticSandbox(timeout_s=20, require_isolation=True).run_source("print(1)")
            refused = ""
        except SandboxError as exc:
            refused = str(exc)
        print(json.dumps({"partial": partial, "refused": refused}))
    """)
    require_root("a nested user namespace (here)")
    proc = subprocess.run(["unshare", "--user", "--map-root-user", "--", "sh", "-c",
                           'echo 0 > /proc/sys/user/max_net_namespaces && exec "$@"', "sh", sys.executable, "-c",
                           script], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.splitlines()[-1])
    assert "net" not in out["partial"]["namespaces"] and out["partial"]["success"]
    assert out["refused"].startswith("isolation is required but full isolation")
    assert "max_net_namespaces" in out["refused"]


# A user namespace that maps ids 0..2**31-1 one to one, where no further
# user namespace may be made: root with every capability but user
# namespaces, as in a container that blocks them.  The script's argv[1] runs
# in it with this interpreter.
_NO_USERNS_BIG_MAP = textwrap.dedent("""
    import ctypes, os, sys
    r, w = os.pipe()
    r2, w2 = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r); os.close(w2)
        if ctypes.CDLL(None, use_errno=True).unshare(0x10000000) != 0:  # CLONE_NEWUSER
            os._exit(90)
        os.write(w, b"u"); os.close(w)
        os.read(r2, 1)  # the maps are written
        with open("/proc/sys/user/max_user_namespaces", "w") as f:
            f.write("0")
        os.execv(sys.executable, [sys.executable, "-c", sys.argv[1]])
    os.close(w); os.close(r2)
    os.read(r, 1)
    for name in ("uid_map", "gid_map"):
        with open(f"/proc/{pid}/{name}", "w") as f:
            f.write("0 0 2147483648\\n")
    os.write(w2, b"g"); os.close(w2)
    sys.exit(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
""")


def test_root_without_user_namespace_gives_components_a_uid_of_their_own(execution_mode):
    """Without a user namespace a root caller's component would be host uid
    65534, which other host processes may run as (and then read its memory
    or take its fds): it gets an unused uid and gid of its own instead."""
    require_root("building a host without user namespaces")
    script = textwrap.dedent("""
        import json
        from autopoietic.sandbox import AutopoieticSandbox
        probe = "import os; open('/work/x', 'w').write('ok'); print(os.getuid(), os.getgid(), os.getgroups())"
        with AutopoieticSandbox(timeout_s=20) as sb:
            first, second = sb.run_source(probe), sb.run_source(probe)
        print(json.dumps([first, second]))
    """)
    proc = subprocess.run([sys.executable, "-c", _NO_USERNS_BIG_MAP, script], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    first, second = json.loads(proc.stdout.splitlines()[-1])
    assert first["success"] and "user" not in first["namespaces"] and "pid" in first["namespaces"], first
    uid, gid, groups = first["output"].split(" ", 2)
    assert uid == gid and 0x70000000 <= int(uid) < 0x7FFF0000 and groups.strip() == "[]"
    assert second["output"] == first["output"]  # one uid per sandbox object
