"""Attack: from a cell of one session, reach another session of the same
sandbox object (its processes, its files, its abstract unix socket) and the
fork server that started it (kill both by their host pids, which the
attacker is given).
Expected (held): nothing of the other session or of the fork server is in
reach; both go on working afterwards."""

from __future__ import annotations

import ast
import os
import textwrap

from autopoietic.sandbox import AutopoieticSandbox

from helpers import processes_named, ready_token, wait_ready

VICTIM = textwrap.dedent("""
    import socket
    open("/proc/self/comm", "w").write({token!r})
    open("secret.txt", "w").write("the victim's")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind("\\0autopoietic-victim")
    listener.listen()
""")

ATTACK = textwrap.dedent("""
    import os, signal, socket
    got = {{}}
    got["pids"] = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
    got["secret"] = os.path.exists("secret.txt")
    for name, pid in (("victim", {victim}), ("server", {server})):
        try:
            os.kill(pid, signal.SIGKILL)
            got[name] = "killed"
        except OSError as exc:
            got[name] = exc.errno
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.connect("\\0autopoietic-victim")
        got["socket"] = "connected"
    except OSError as exc:
        got["socket"] = exc.errno
    print(repr(got))
""")


def test_a_session_cannot_reach_another_or_the_fork_server(tmp_path, execution_mode):
    token = ready_token()
    with AutopoieticSandbox(temp_dir=tmp_path, timeout_s=20) as sb:
        with sb.session() as victim, sb.session() as attacker:
            assert victim.run(VICTIM.format(token=token))["success"]
            (victim_pid,) = wait_ready(token)
            servers = [server.pid for server in sb._warm.servers if server.alive()]
            server_pid = servers[0] if servers else os.getpid()  # spawn mode: this process instead
            result = attacker.run(ATTACK.format(victim=victim_pid, server=server_pid))
            assert result["success"], result
            got = ast.literal_eval(result["stdout"].strip())
            assert victim_pid not in got["pids"] and server_pid not in got["pids"]
            assert got["pids"] == [1, 2], got  # its init and its interpreter only
            assert got["secret"] is False
            assert got["victim"] == got["server"] == 3  # ESRCH: not in its pid namespace
            assert got["socket"] == 111  # ECONNREFUSED: its own network namespace
            # the victim goes on, untouched
            assert processes_named(token) == [victim_pid]
            after = victim.run("print(open('secret.txt').read(), listener.fileno() > 0)")
            assert after["stdout"] == "the victim's True\n", after
        assert sb.run_source("print('served')")["stdout"] == "served\n"
