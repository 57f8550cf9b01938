"""Attack: alternate per-call max_memory_mb and max_processes on one
sandbox object (warm mode: a new configuration each call, while the fork
server has the next sandbox prepared with the previous one), with a tree
of processes each under RLIMIT_AS but together over the cgroup's limit.
Checked from the host while each run lasts: the run's own cgroup has
the call's memory.limit_in_bytes; nothing is left after cleanup().
Expected (held): the call's limit bounds the tree, the object's
returns for calls without one, no cgroup left behind."""

import glob
import os
import threading
import time

import pytest

from autopoietic.sandbox import AutopoieticSandbox

TREE = r'''
import os, time
time.sleep(0.3)
kids = []
for k in range(4):
    pid = os.fork()
    if pid == 0:
        x = bytearray(40 << 20)
        for i in range(0, len(x), 4096):
            x[i] = 1
        time.sleep(1)
        os._exit(0)
    kids.append(pid)
print([os.waitstatus_to_exitcode(os.waitpid(p, 0)[1]) for p in kids])
'''


def test_per_call_memory_limits_bound_the_tree(tmp_path, execution_mode):
    with AutopoieticSandbox(temp_dir=tmp_path, timeout_s=20, max_memory_mb=100) as sb:
        sb.run_source("pass")
        cgroup = sb._cgroup.get()
        if cgroup is None or "memory" not in cgroup.controllers:
            pytest.skip("no memory cgroup here")
        memory_parent = next(p for p in cgroup.parents if "/memory/" in p)
        for mb, fits in ((300, True), (60, False), (300, True), (None, False), (60, False)):
            seen, stop = set(), threading.Event()

            def watch():
                while not stop.is_set():
                    for f in glob.glob(os.path.join(memory_parent, "*", "memory.limit_in_bytes")):
                        try:
                            with open(f) as limit_file:
                                seen.add(int(limit_file.read()))
                        except (OSError, ValueError):
                            pass
                    time.sleep(0.01)

            watcher = threading.Thread(target=watch)
            watcher.start()
            result = sb.run_source(TREE, max_memory_mb=mb)
            stop.set()
            watcher.join()
            assert ((mb or 100) << 20) in seen, (mb, seen)
            if fits:
                assert result["success"], result["error"]
            else:
                assert result["status"] == "memory" and result["oom_killed"], result
        parents = cgroup.parents
    assert [p for p in parents if os.path.exists(p)] == []
