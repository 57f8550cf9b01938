"""Attack: write a verdict on fd 4 that makes the host's parser raise
instead of answering: a non-ASCII nonce field (hmac.compare_digest of two
str raises TypeError; no nonce needed), and with the nonce read from fd 3
a peak-RSS field that str.isdigit() accepts but int() refuses (a
superscript digit, or more than 4300 digits).
Expected: run_source returns a result dict, not a success (the verdict is
malformed), and raises nothing."""

import pytest

from attack import assert_clear_result

VERDICTS = {
    "non_ascii_nonce_field": "import os\nos.write(4, '\\u00e9\\x1fok\\x1f\\x1f\\x1f0\\x1f'.encode())\nos._exit(0)\n",
    "superscript_rss": ("import os\nn = os.read(3, 4096).decode()\n"
                        "os.write(4, (n + '\\x1fok\\x1f\\x1f\\x1f\\u00b2\\x1f').encode())\nos._exit(0)\n"),
    "arabic_indic_rss": ("import os\nn = os.read(3, 4096).decode()\n"
                         "os.write(4, (n + '\\x1fok\\x1f\\x1f\\x1f\\u0663\\x1f').encode())\nos._exit(0)\n"),
    "huge_rss": ("import os\nn = os.read(3, 4096).decode()\n"
                 "os.write(4, (n + '\\x1fok\\x1f\\x1f\\x1f' + '9' * 5000 + '\\x1f').encode())\nos._exit(0)\n"),
}


@pytest.mark.parametrize("case", sorted(VERDICTS))
def test_a_malformed_verdict_gives_a_result_dict(run, case):
    result = run(VERDICTS[case])
    assert_clear_result(result)
    assert result["success"] is False
    assert "malformed or forged" in result["error"]
