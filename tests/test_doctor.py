"""python -m autopoietic doctor: probes this host for real."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from helpers import run_without_namespaces


def test_doctor_on_a_host_with_namespaces():
    proc = subprocess.run([sys.executable, "-m", "autopoietic", "doctor", "--json"], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert set(report) == {"host", "sysctls", "checks", "sandbox"}
    assert all(check["ok"] for check in report["checks"].values()), report["checks"]
    assert {"user namespace", "net namespace", "seccomp filter", "minimal root (pivot_root)"} <= set(report["checks"])
    assert report["sandbox"]["isolation"] == "unshare-namespaces"
    assert report["sandbox"]["plan"] == "full isolation"
    text = subprocess.run([sys.executable, "-m", "autopoietic", "doctor"], capture_output=True, text=True,
                          timeout=120).stdout
    assert "[ok]   seccomp filter" in text and "A sandbox here runs as: unshare-namespaces" in text


def test_doctor_explains_a_host_without_namespaces():
    proc = run_without_namespaces(textwrap.dedent("""
        import json, sys
        from autopoietic.cli import main
        sys.argv = ["autopoietic", "doctor", "--json"]
        sys.exit(main())
    """))
    assert proc.returncode == 1, proc.stderr  # not isolated: non-zero
    report = json.loads(proc.stdout)
    user = report["checks"]["user namespace"]
    assert user["ok"] is False and user["stage"] == "clone" and user["errno"] == 28  # ENOSPC
    assert "max_user_namespaces" in user["hint"]
    assert report["checks"]["pid namespace"]["errno"] == 1  # EPERM without CAP_SYS_ADMIN
    assert report["checks"]["seccomp filter"]["ok"] is True
    assert report["sysctls"]["user.max_user_namespaces"] == "0"
    assert report["sandbox"]["isolation"] == "direct-execution"
    assert report["sandbox"]["plan"].startswith("direct-execution")
