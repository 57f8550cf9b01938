"""Attack: start threads without end.
Expected: RLIMIT_NPROC (threads count) stops it: 'processes'."""

from attack import assert_clear_result


def test_thread_bomb(run):
    result = run(
        "import threading, time\n"
        "threads = []\n"
        "while True:\n"
        "    t = threading.Thread(target=time.sleep, args=(30,), daemon=True)\n"
        "    t.start()\n"
        "    threads.append(t)\n",
        max_processes=32, max_memory_mb=512, timeout_s=20,
    )
    assert_clear_result(result)
    assert result["limit_exceeded"] == "processes", result["error"]
