"""Attack: list host processes through /proc.
Expected: only the sandbox's own pid namespace (init and the program)."""

from attack import assert_clear_result


def test_list_host_pids(run, host_sleeper):
    result = run(
        "import os\n"
        "print(sorted(int(p) for p in os.listdir('/proc') if p.isdigit()))\n"
        f"print(os.path.exists('/proc/{host_sleeper.pid}/cmdline'))\n"
    )
    assert_clear_result(result)
    listing, exists = result["output"].splitlines()
    assert listing == "[1, 2]"
    assert exists == "False" or host_sleeper.pid <= 2
