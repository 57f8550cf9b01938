"""Attack: allocate memory without end (one huge block, and many small ones).
Expected: RLIMIT_AS ends it: limit_exceeded 'memory'."""

import pytest

from attack import assert_clear_result


@pytest.mark.parametrize("source", ["x = bytearray(8 << 30)", "xs = []\nwhile True:\n    xs.append(b'x' * (1 << 20))"],
                         ids=["one-block", "many-blocks"])
def test_memory_bomb(run, source):
    result = run(source, max_memory_mb=128)
    assert_clear_result(result)
    assert result["limit_exceeded"] == "memory", result["error"]
    assert result["max_rss_kib"] < 200 * 1024
