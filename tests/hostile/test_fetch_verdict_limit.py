"""Attack on the host through fetch's verdict bound
(_files.verdict_limit = 64 KiB + len(fetch) x (11 + max_output_bytes)).

1. A caller within the documented bounds (up to 1024 fetch paths, each
   capped at max_output_bytes, max_output_bytes up to 1 GiB) gets a
   ValueError from the C layer ("verdict_limit must be between 0 and
   2**30 bytes") instead of a result; in warm mode only after the program
   has run, and the fork server is killed on the way.
2. The program, without writing a single file, fills the verdict pipe:
   the caller keeps (and copies) len(fetch) x max_output_bytes bytes, far
   beyond the sandbox's own disk (max_disk_mb), valid verdict or not.
Expected: a result dict; the caller's memory bounded by what the sandbox
could hold, not by len(fetch) x cap."""

import json
import subprocess
import sys

from attack import assert_clear_result


def test_the_most_fetch_paths_allowed_give_a_result(run):
    result = run("print('ran')", fetch=[f"out{i}" for i in range(1024)])
    assert_clear_result(result)
    assert result["success"], result["error"]
    assert set(result["fetch_errors"].values()) == {"not found"}


def test_the_largest_output_cap_with_one_fetch_gives_a_result(run):
    result = run("open('out', 'w').write('x')", fetch=["out"], max_output_bytes=1 << 30)
    assert_clear_result(result)
    assert result["files"] == {"out": b"x"}


_MEASURE = """
import json, resource, sys
from autopoietic.sandbox import AutopoieticSandbox
prog = "import os\\nchunk = b'\\\\x1e' * (1 << 20)\\nwhile True:\\n    os.write(4, chunk)\\n"
with AutopoieticSandbox(timeout_s=20, max_disk_mb=1) as sb:
    sb.run_source("pass")
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    r = sb.run_source(prog, fetch=[f"f{i}" for i in range(400)], timeout_s=5)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"status": r["status"], "growth_mib": (peak - base) // 1024}))
"""


def test_the_verdict_pipe_does_not_blow_up_the_callers_memory(execution_mode):
    """max_disk_mb=1: /work and /tmp together hold 2 MiB; 400 fetch paths
    capped at the default 1 MiB make the caller keep 400 MiB (twice)."""
    proc = subprocess.run([sys.executable, "-c", _MEASURE], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout.splitlines()[-1])
    assert got["growth_mib"] < 128, got
