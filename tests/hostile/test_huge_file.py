"""Attack: write one huge file (in /work and in /tmp).
Expected: RLIMIT_FSIZE stops it at max_file_size_kb: 'file_size'."""

import pytest

from attack import assert_clear_result


@pytest.mark.parametrize("directory", ["/work", "/tmp"])
def test_huge_file(run, directory):
    result = run(
        f"with open('{directory}/big', 'wb') as f:\n"
        "    for _ in range(100):\n"
        "        f.write(b'x' * (1 << 20))\n",
        max_file_size_kb=1024,
    )
    assert_clear_result(result)
    assert result["limit_exceeded"] == "file_size", result["error"]
    assert "File too large" in result["error"]
