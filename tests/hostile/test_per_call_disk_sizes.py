"""Attack on a long-lived warm sandbox: calls that each ask for another
per-call max_disk_mb.  The scratch size is part of the mount plan, so the
warm launcher caches one plan and one work directory (with its root mount
point) per distinct value, for the sandbox object's lifetime: a caller
that sizes the disk per task (or a loop over values) makes them grow
without bound.
Expected: the cached plans and directories stay bounded (a few), not one
per value ever used."""

import os

import pytest

from autopoietic.sandbox import AutopoieticSandbox


def test_distinct_disk_sizes_do_not_pile_up_work_directories(tmp_path, execution_mode):
    if execution_mode != "warm":
        pytest.skip("spawn mode makes and removes a work directory per run")
    with AutopoieticSandbox(temp_dir=tmp_path, timeout_s=20) as sb:
        for mb in range(1, 41):
            result = sb.run_source("pass", max_disk_mb=mb)
            assert result["success"], result["error"]
        kept = [d for root in os.listdir(tmp_path) if os.path.isdir(tmp_path / root)
                for d in os.listdir(tmp_path / root)]
        assert len(kept) <= 4, f"{len(kept)} work directories kept: {sorted(kept)[:5]}..."
