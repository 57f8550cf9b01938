"""Attack: flood stdout and stderr at once.
Expected: each stream capped at max_output_bytes, the rest drained and
dropped ('output'), the caller's memory stays bounded."""

from attack import assert_clear_result


def test_output_flood(run):
    result = run(
        "import os\n"
        "chunk = b'z' * (1 << 20)\n"
        "for _ in range(100):\n"
        "    os.write(1, chunk)\n"
        "    os.write(2, chunk)\n",
        max_output_bytes=1 << 20,
    )
    assert_clear_result(result)
    assert result["output_truncated"] is True
    assert len(result["output"]) == 1 << 20
    assert len(result["error"]) < (1 << 20) + 4096
    assert result["limit_exceeded"] == "output"
