"""Attack on direct execution (no namespaces: /work is a private host
directory): the program renames its work directory away and leaves a
symbolic link to another host directory in its place.  The runner opens
the working directory by its path (os.getcwd() taken before the program
ran), without O_NOFOLLOW, so fetch walks the link's target.
Expected (docs: fetch reads "regular files of the sandbox's own /work",
"no link followed"): nothing from outside the work directory comes back.
(The program could read that file itself here: same uid; but a caller
relying on fetch's promise gets host files it did not ask for.)"""

import json

from helpers import run_without_namespaces

SCRIPT = """
import json, os, tempfile
from autopoietic.sandbox import AutopoieticSandbox
outside = tempfile.mkdtemp()
with open(os.path.join(outside, "secret.txt"), "w") as f:
    f.write("host data outside the work directory")
prog = "import os\\ncwd = os.getcwd()\\nos.rename(cwd, cwd + '.moved')\\nos.symlink(%r, cwd)\\n" % outside
with AutopoieticSandbox(timeout_s=20) as sb:
    r = sb.run_source(prog, fetch=["secret.txt"])
print(json.dumps({"isolation": r["isolation"], "files": {k: v.decode() for k, v in r["files"].items()},
                  "errors": r["fetch_errors"]}))
"""


def test_fetch_does_not_follow_a_swapped_work_directory(execution_mode):
    proc = run_without_namespaces(SCRIPT)
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout.splitlines()[-1])
    assert got["isolation"] == "direct-execution", got
    assert "secret.txt" not in got["files"], got
