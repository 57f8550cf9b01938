"""autopoietic.distributed.run_on_dask on a real dask.distributed.LocalCluster
with 2 worker processes: every result correct and the same as a local run,
every worker's sandbox cleaned up when the cluster closes."""

from __future__ import annotations

import os
import uuid

import pytest

from autopoietic.sandbox import AutopoieticSandbox, SandboxError

from helpers import component, host_processes_with, process_table, require

try:
    from dask.distributed import Client, LocalCluster
except ImportError:  # the optional extra: pip install .[dask]
    Client = LocalCluster = None

# every test here starts sandboxes on dask workers: each runs in both
# execution modes (docs/design.md, "Execution modes"); a cluster takes
# seconds to start, and dask is an extra: slow (make test-all installs it)
pytestmark = [pytest.mark.usefixtures("execution_mode"), pytest.mark.slow]

SERVER_MARK = "_autopoietic_serve"  # in every fork server's command line


@pytest.fixture
def client():
    require(Client is not None, "the dask extra is not installed (pip install .[dask])")
    # worker processes are started with the environment of this one:
    # AUTOPOIETIC_MODE (execution_mode) reaches their sandboxes
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with Client(cluster) as c:
            yield c


def test_200_components_on_two_worker_processes(client, tmp_path):
    from autopoietic.distributed import run_on_dask

    token = uuid.uuid4().hex
    items = [(component(f"print('{token}', {i}, {i} * {i})"), f"comp_{i}") for i in range(200)]
    results = run_on_dask(items, client, temp_dir=str(tmp_path), timeout_s=30)
    assert len(results) == 200
    for i, result in enumerate(results):
        assert result["success"], result
        assert result["output"].splitlines()[0] == f"{token} {i} {i * i}"
        assert result["isolation"] == "unshare-namespaces" and result["security_validated"]
    # the work was spread: both worker processes kept a sandbox (a directory each)
    workers = {info["id"] for info in client.scheduler_info()["workers"].values()}
    assert len(workers) == 2
    assert len([p for p in tmp_path.iterdir() if p.name.startswith("autopoietic-")]) == 2

    # the same dicts as a local run (but for timings)
    (tmp_path / "local").mkdir()
    with AutopoieticSandbox(temp_dir=tmp_path / "local", timeout_s=30) as local:
        for i in (0, 57, 199):
            here = local.execute_component(*items[i])
            there = results[i]
            for key in here:
                if key not in ("execution_time", "cpu_time_s", "max_rss_kib"):
                    assert there[key] == here[key], key


def test_refusals_and_limits_come_back_as_locally(client, tmp_path):
    from autopoietic.distributed import run_on_dask

    hog = [(component("x = bytearray(1 << 30)"), "hog")]
    result, = run_on_dask(hog, client, temp_dir=str(tmp_path), max_memory_mb=64)
    assert result["success"] is False and result["limit_exceeded"] == "memory"
    with pytest.raises(SandboxError, match="refused by the validator"):
        run_on_dask([("import os\n", "bad")], client, temp_dir=str(tmp_path))
    with pytest.raises(ValueError):
        run_on_dask(hog, client, max_memory_mb=-1)


def test_worker_sandboxes_are_cleaned_up_at_shutdown(tmp_path):
    require(Client is not None, "the dask extra is not installed (pip install .[dask])")
    from autopoietic.distributed import run_on_dask

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with Client(cluster) as c:
            results = run_on_dask([(component(f"print({i})"), f"c{i}") for i in range(20)], c,
                                  temp_dir=str(tmp_path))
            assert all(r["success"] for r in results)
            worker_pids = [w["pid"] for w in c.run(lambda: {"pid": os.getpid()}).values()]
            assert any(p.name.startswith("autopoietic-") for p in tmp_path.iterdir())
    assert list(tmp_path.iterdir()) == []
    servers = host_processes_with(SERVER_MARK)
    parents = process_table()
    assert not [pid for pid in servers if parents.get(pid, (-1, ''))[0] in worker_pids]
    assert all(not os.path.exists(f"/proc/{pid}") for pid in worker_pids)
