"""Attack: open file descriptors until none are left.
Expected: RLIMIT_NOFILE stops it: 'open_files'."""

from attack import assert_clear_result


def test_fd_exhaustion(run):
    result = run("import os\nfds = [os.open('/dev/null', os.O_RDONLY) for _ in range(100000)]", max_open_files=256)
    assert_clear_result(result)
    assert result["limit_exceeded"] == "open_files", result["error"]
