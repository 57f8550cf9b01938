"""Attack on the CLI's ``run --fetch ... --fetch-dir DIR``: the program
plants symbolic links in /work at and along the fetched paths (to the
host canary's directory, to /), hard links and a directory where a file
is asked, and writes files at paths it was not asked for.
Expected (held): the CLI writes only regular files' bytes, only at the
asked paths under DIR, and nothing outside it."""

import json
import os
import subprocess
import sys

PROGRAM = """
import os
canary_dir = {canary_dir!r}
os.symlink(canary_dir, 'linkdir')
os.symlink(os.path.join(canary_dir, 'canary.txt'), 'canary.txt')
os.makedirs('real/sub')
open('real/sub/ok.txt', 'w').write('mine')
os.symlink('/', 'real/root')
os.mkdir('isdir')
open('unasked.txt', 'w').write('not asked')
"""


def test_fetch_dir_gets_only_the_asked_regular_files(tmp_path, host_canary, execution_mode):
    program = tmp_path / "job.py"
    program.write_text(PROGRAM.format(canary_dir=str(host_canary.parent)))
    out = tmp_path / "got"
    asked = ["linkdir/canary.txt", "canary.txt", "real/sub/ok.txt", "real/root/etc/passwd", "isdir",
             "real/sub"]
    args = [sys.executable, "-m", "autopoietic", "run", "--source", str(program), "--fetch-dir", str(out), "--json"]
    for path in asked:
        args += ["--fetch", path]
    proc = subprocess.run(args, capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert set(result["files"]) == {"real/sub/ok.txt"}, result
    written = sorted(os.path.relpath(os.path.join(d, f), out) for d, _, fs in os.walk(out) for f in fs)
    assert written == ["real/sub/ok.txt"]
    assert (out / "real/sub/ok.txt").read_bytes() == b"mine"
