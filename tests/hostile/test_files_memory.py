"""Attack (or honest use): ``files`` within their documented bounds (each
under max_file_size_kb, all under max_disk_mb) that the runner cannot
write: it reads the whole sealed memfd (source + marshal of all files)
into memory and unmarshals it, some three copies under RLIMIT_AS, before
the program's first line.
Seen: one 30 MiB file, max_disk_mb 64, max_memory_mb 100: status
"memory", "cannot load __main__.py: MemoryError".
Expected: the file is written (the host's checks accepted it)."""

from attack import assert_clear_result


def test_a_file_within_the_disk_bound_is_written(run):
    result = run("import os\nprint(os.path.getsize('big'))", files={"big": "x" * (30 << 20)},
                 max_file_size_kb=64 << 10, max_disk_mb=64, max_memory_mb=100)
    assert_clear_result(result)
    assert result["success"], result["error"]
    assert result["output"] == f"{30 << 20}\n"
