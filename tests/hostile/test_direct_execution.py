"""The direct-execution fallback (no namespaces, no Landlock) under attack, on
a real host without namespaces (a nested user namespace with
max_user_namespaces=0 and no capabilities) whose kernel refuses Landlock (a
seccomp filter: ENOSYS, as a kernel without it).

Still contained: rlimits (memory, file size, open files, CPU), the
wall-clock timeout, output caps, the seccomp filter (no ptrace, mount, bpf,
no socket() at all), no_new_privs, a clean environment, closed fds, and
processes left behind (init is a child subreaper and kills them).
Not contained (docs/threat-model.md, direct-execution): the host's files as the caller
sees them, the host's process list and hostname, the process count, and a
component may signal its init or the caller (same uid)."""

import json

from helpers import bound, host_processes_with, run_without_namespaces
from attack import SYSCALLS, daemon_source, token

SCRIPT = """
import json
from autopoietic.sandbox import AutopoieticSandbox
cases = json.loads({cases!r})
out = {{}}
for name, (source, options) in cases.items():
    with AutopoieticSandbox(**{{"timeout_s": 20, **options}}) as sb:
        out[name] = sb.run_source(source)
print(json.dumps(out))
"""


def run_cases(cases: dict) -> dict:
    proc = run_without_namespaces(SCRIPT.format(cases=json.dumps(cases)))
    assert proc.returncode == 0, proc.stderr
    results = json.loads(proc.stdout.splitlines()[-1])
    for result in results.values():
        assert result["isolation"].startswith("direct-execution"), result
        assert result["namespaces"] == []
    return results


def test_what_direct_execution_still_contains():
    marker = token()
    r = run_cases({
        "memory": ["x = bytearray(1 << 30)", {"max_memory_mb": 100}],
        "file_size": ["open('big', 'wb').write(b'x' * (4 << 20))", {"max_file_size_kb": 1024}],
        "open_files": ["fds = [open('/dev/null') for _ in range(5000)]", {"max_open_files": 128}],
        "cpu": ["while True: pass", {"max_cpu_time_seconds": 0.5, "timeout_s": 10}],
        "timeout": ["import time\ntime.sleep(60)", {"timeout_s": 0.5}],
        "output": ["print('x' * (3 << 20))", {"max_output_bytes": 1 << 20}],
        "seccomp": [SYSCALLS + "print([try_syscall(n, 0, 0, 0, 0) for n in ('ptrace', 'mount', 'bpf', 'unshare')])\n"
                    "import socket\n"
                    "try:\n    socket.socket(socket.AF_INET)\n    print('INET')\nexcept PermissionError:\n    print('inet refused')\n", {}],
        "privileges": ["s = open('/proc/self/status').read()\n"
                       "print(s.split('NoNewPrivs:')[1].split()[0], s.split('Seccomp:')[1].split()[0],"
                       " s.split('CapEff:')[1].split()[0])", {}],
        "env_and_fds": ["import os\nprint(sorted(os.environ))\nprint(sorted(int(f) for f in os.listdir('/proc/self/fd')))", {}],
        "daemon": [daemon_source(marker), {}],
    })
    assert r["memory"]["limit_exceeded"] == "memory"
    assert r["file_size"]["limit_exceeded"] == "file_size"
    assert r["open_files"]["limit_exceeded"] == "open_files"
    assert r["cpu"]["limit_exceeded"] == "cpu_time"
    assert r["timeout"]["isolation"] == "direct-execution-timeout" and r["timeout"]["execution_time"] < bound(3.0)
    assert r["output"]["output_truncated"] is True
    assert r["seccomp"]["output"].splitlines() == ["[1, 1, 1, 1]", "inet refused"]
    assert r["privileges"]["output"].split() == ["1", "2", "0000000000000000"]
    env_line, fd_line = r["env_and_fds"]["output"].splitlines()
    assert env_line == "['HOME', 'LANG', 'LC_ALL', 'MALLOC_ARENA_MAX', 'PATH', 'TMPDIR']"
    # stdio, the nonce pipe (read after the run), the verdict pipe, the listing itself (the source is closed)
    assert fd_line == "[0, 1, 2, 3, 4, 5]"
    assert r["daemon"]["success"] is True and r["daemon"]["output"] == "daemon r\n", r["daemon"]
    assert host_processes_with(marker) == []


def test_what_direct_execution_cannot_contain():
    """Stated in docs/threat-model.md: these are visible without namespaces."""
    r = run_cases({
        "host_files": ["import os\nprint(os.path.exists('/etc/passwd'), os.path.exists('/proc/1/cmdline'))", {}],
        "host_pids": ["import os\nprint(len([p for p in os.listdir('/proc') if p.isdigit()]) > 3)", {}],
    })
    assert r["host_files"]["output"].split() == ["True", "True"]
    assert r["host_pids"]["output"].strip() == "True"
