"""Attack: create 10**6 empty files.
Expected: the scratch tmpfs runs out of inodes quickly ('file_size')."""

import time

from attack import assert_clear_result
from helpers import bound


def test_million_files(run):
    start = time.monotonic()
    result = run(
        "import os\n"
        "for i in range(10**6):\n"
        "    os.close(os.open(f'/tmp/f{i}', os.O_CREAT | os.O_WRONLY, 0o600))\n"
        "print('created all')\n",
        timeout_s=60,
    )
    assert_clear_result(result)
    assert "created all" not in result["output"]
    assert result["limit_exceeded"] == "file_size", result["error"]
    assert time.monotonic() - start < bound(15)  # out of inodes, not the 60 s timeout
