"""Attack (or honest use): many tiny ``files``.  The host checks their
bytes against max_disk_mb, but tmpfs charges each file (and directory) a
whole page: 300 one-byte files need 1.2 MiB of a 1 MiB /work.
Seen: the runner fails with ENOSPC before the program starts and the
result blames "file size limit of 1024 KB (RLIMIT_FSIZE) exceeded".
Expected: refused on the host (SandboxError) or written."""

import pytest

from autopoietic.sandbox import SandboxError

from attack import assert_clear_result


def test_tiny_files_are_refused_or_written(run):
    files = {f"s{i}": "x" for i in range(300)}
    try:
        result = run("import os\nprint(len(os.listdir()))", files=files, max_disk_mb=1)
    except SandboxError:
        return
    assert_clear_result(result)
    assert result["success"], result["error"]
