"""Attack: fill /tmp and /work (many MB in files each under the per-file limit).
Expected: the scratch tmpfs is full at max_disk_mb (ENOSPC: 'file_size'); the
host's disk is not touched."""

import shutil

from attack import assert_clear_result


def test_fill_tmp(run):
    free_before = shutil.disk_usage("/").free
    result = run(
        "import itertools\n"
        "for i in itertools.count():\n"
        "    with open(f'/tmp/fill{i}', 'wb') as f:\n"
        "        f.write(b'x' * (512 << 10))\n",
        max_disk_mb=8, max_file_size_kb=1024,
    )
    assert_clear_result(result)
    assert result["limit_exceeded"] == "file_size", result["error"]
    assert "No space left on device" in result["error"]
    assert abs(shutil.disk_usage("/").free - free_before) < 64 << 20
