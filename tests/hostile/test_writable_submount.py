"""Attack: write through a mount that lies below a directory the sandbox
binds read-only (a volume mounted inside the interpreter's prefix, as a
container might have at /usr/src/app).
Expected: the recursive bind carries the submount along read-only too
(EROFS); nothing appears on the host."""

import os
import shutil
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

from helpers import require, require_root


def test_submount_of_a_bound_directory_is_read_only(tmp_path):
    require_root("mounting a volume")
    require(shutil.which("unshare") is not None, "unshare(1) to mount a volume")
    volume = Path(sys.base_prefix) / "lib" / f"autopoietic-volume-{uuid.uuid4().hex}"
    volume.mkdir()
    try:
        script = textwrap.dedent(f"""
            import json
            from autopoietic.sandbox import AutopoieticSandbox
            with AutopoieticSandbox(timeout_s=20) as sb:
                r = sb.run_source('''
            try:
                open({str(volume / "pwned")!r}, "w").write("x")
                print("WROTE")
            except OSError as e:
                print("refused", e.errno)
            ''')
            print(json.dumps(r))
        """)
        # the volume: a host directory (here a tmpfs) mounted below the prefix, writable on the host
        proc = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c",
                               f'mount -t tmpfs -o size=1m tmpfs "{volume}" && exec "$0" -c "$1"',
                               sys.executable, script], capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        import json
        result = json.loads(proc.stdout.splitlines()[-1])
        assert result["output"].strip() == "refused 30", result  # EROFS
        assert not (volume / "pwned").exists()
    finally:
        volume.rmdir()
