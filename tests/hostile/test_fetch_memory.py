"""Attack (or honest use): fetch many files that fit the sandbox's disk.
The runner reads every fetched file into memory, joins the records and
appends them to the verdict (three copies, under the program's own
RLIMIT_AS/cgroup), and swallows a MemoryError.
Seen: 30 files of 1 MiB (30 MiB of a 64 MiB /work, 100 MiB memory):
success True, files {}, and every path "the program did not finish, so its
files were not read" (false); 50 files: the whole run OOM-killed,
status "memory", for files the program wrote without trouble.
Expected: each file that fits comes back, or its own error says why."""

from attack import assert_clear_result

WRITE = "for i in range({n}):\n    open(f'o{{i}}', 'wb').write(b'z' * (1 << 20))\n"


def test_thirty_one_mib_files_come_back(run):
    paths = [f"o{i}" for i in range(30)]
    result = run(WRITE.format(n=30), fetch=paths)
    assert_clear_result(result)
    assert result["success"], result["error"]
    did_not_finish = [p for p, why in result["fetch_errors"].items() if "did not finish" in why]
    assert did_not_finish == [], result["fetch_errors"]
    assert len(result["files"]) == 30, result["fetch_errors"]


def test_fetching_does_not_make_the_run_fail(run):
    result = run(WRITE.format(n=50), fetch=[f"o{i}" for i in range(50)])
    assert_clear_result(result)
    assert result["status"] == "ok", result["error"]
