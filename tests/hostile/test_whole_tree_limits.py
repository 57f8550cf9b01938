"""Attack: stay under each per-process limit while the process tree as a
whole goes over it: forked children that each use most of the memory
limit, more processes than max_processes, and CPU burnt in children that
nobody waits for (SIGCHLD ignored), whose time no live process's counters
hold.

Expected: where a cgroup applies (root here), the tree is bounded as one:
the OOM killer ends it (limit_exceeded "memory", oom_killed), and its peak
shows in max_rss_kib; everywhere, max_processes counts the component's own
processes, its main process included, and CPU time cannot escape the
check (counted by the cgroup, or SIGCHLD's action cannot be changed).
"""

from __future__ import annotations

from attack import assert_clear_result, cpu_floor

from helpers import IGNORED_CHILDREN_SOURCE

# touch(mb): a bytearray of mb MiB with every page written (resident)
TOUCH = """
import os
def touch(mb):
    block = bytearray(mb << 20)
    for i in range(0, len(block), 4096):
        block[i] = 1
    return block
"""

FORK_MEMORY = TOUCH + """
pids = []
for _ in range(4):
    pid = os.fork()
    if pid == 0:
        touch(80)
        os._exit(0)
    pids.append(pid)
print("statuses", [os.waitpid(pid, 0)[1] for pid in pids])
"""


def test_forked_children_share_one_memory_limit(run):
    result = run(FORK_MEMORY, max_memory_mb=100)
    assert_clear_result(result)
    if "memory" not in result["cgroup_controllers"]:
        # per process only: each child stays under RLIMIT_AS
        assert result["oom_killed"] is False
        return
    assert result["limit_exceeded"] == "memory" and result["oom_killed"] is True, result
    assert result["success"] is False
    assert "OOM killer" in result["error"]


CHILD_PEAK = TOUCH + """
pid = os.fork()
if pid == 0:
    touch(90)
    os._exit(0)
os.waitpid(pid, 0)
"""


def test_a_childs_peak_shows_in_max_rss(run):
    result = run(CHILD_PEAK, max_memory_mb=200)
    assert_clear_result(result)
    assert result["success"], result
    assert result["max_rss_kib"] >= 90 * 1024, result


PROCESS_COUNT = """
import os, time
children = []
while True:
    try:
        pid = os.fork()
    except OSError as exc:
        break
    if pid == 0:
        time.sleep(30)
        os._exit(0)
    children.append(pid)
print("forks", len(children))
for pid in children:
    os.kill(pid, 9)
    os.waitpid(pid, 0)
"""


def test_max_processes_counts_the_components_processes(run):
    result = run(PROCESS_COUNT, max_processes=6)
    assert_clear_result(result)
    assert result["output"] == "forks 5\n", result  # main + 5 children = 6


def test_cpu_of_children_nobody_waits_for_is_counted(run):
    result = run(IGNORED_CHILDREN_SOURCE, max_cpu_time_seconds=1.5, timeout_s=30)
    assert_clear_result(result)
    if "cpu" in result["cgroup_controllers"]:
        assert result["limit_exceeded"] == "cpu_time", result
        assert result["cpu_time_s"] >= cpu_floor(run, 1.5), result
    else:
        assert result["output"] == "refused 1\n", result
