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
    assert set(report) == {"host", "sysctls", "checks", "sandbox", "recipes"}
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
    assert report["checks"]["landlock"]["ok"] is False
    assert "Function not implemented" in report["checks"]["landlock"]["hint"]
    assert any("max_user_namespaces is 0" in recipe for recipe in report["recipes"])


def test_doctor_on_a_host_with_landlock_only():
    """No namespace (max_user_namespaces=0, no capability), Landlock there:
    the rung, its ABI, and the recipes for full isolation, in text too."""
    script = textwrap.dedent("""
        import sys
        from autopoietic.cli import main
        sys.argv = ["autopoietic", "doctor"] + sys.argv[1:]
        sys.exit(main())
    """)
    proc = run_without_namespaces(script, landlock=True)
    assert proc.returncode == 1, proc.stderr  # not full isolation: non-zero
    text = proc.stdout
    assert "A sandbox here runs as: landlock (landlock: a Landlock ruleset" in text, text
    assert "[ok]   landlock (ABI " in text
    assert "To give this host full isolation (docs/deployment.md), least privilege first:" in text
    assert "user.max_user_namespaces is 0" in text
