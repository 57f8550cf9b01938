"""``python -m autopoietic doctor``: what isolation this host allows, and why not.

Each mechanism is probed for real, by running the interpreter through the C
extension with that mechanism alone, so the answer is the kernel's, with the
errno and a hint where it refuses (AppArmor's user namespace restriction on
Ubuntu 24.04, ``kernel.unprivileged_userns_clone=0``, ``user.max_user_namespaces``,
a container without CAP_SYS_ADMIN or with a seccomp policy).  Then one full
run through ``AutopoieticSandbox`` shows which rung of the fallback ladder
this process ends on.
"""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path
from typing import Any

from . import _sandbox
from ._common import HOSTNAME
from ._ids import own_id_maps
from ._ladder import LADDER, namespace_hint
from .sandbox import AutopoieticSandbox, SandboxError

__all__ = ["diagnose", "format_report"]

SYSCTLS = {
    "kernel.unprivileged_userns_clone": "/proc/sys/kernel/unprivileged_userns_clone",
    "user.max_user_namespaces": "/proc/sys/user/max_user_namespaces",
    "kernel.apparmor_restrict_unprivileged_userns": "/proc/sys/kernel/apparmor_restrict_unprivileged_userns",
}


def _probe(namespaces: tuple[str, ...], seccomp: bool = False) -> dict[str, Any]:
    python = os.path.realpath(sys.executable)
    # _sandbox has no defaults of its own: the probe maps the caller's ids
    # as a normal user's sandbox does (65534 inside) and names the host
    options: dict[str, Any] = {"hostname": HOSTNAME}
    if "user" in namespaces:
        options["uid_map"], options["gid_map"] = own_id_maps()
    raw = _sandbox.run([python, "-I", "-S", "-c", "pass"], [], "/", namespaces=namespaces, timeout_s=20,
                       seccomp=seccomp, **options)
    if raw["setup_error"] is not None:
        stage, err, _ = raw["setup_error"]
        return {"ok": False, "stage": stage, "errno": err, "error": os.strerror(err),
                "hint": namespace_hint(stage, err)}
    if raw["exit_code"] != 0:
        return {"ok": False, "stage": "run", "errno": 0, "error": raw["stderr"].decode(errors="replace")[-500:],
                "hint": "the interpreter did not start under this mechanism"}
    return {"ok": True}


def diagnose() -> dict[str, Any]:
    """diagnose() -> dict: every check, then what a sandbox here will do."""
    user = ("user",) if os.geteuid() != 0 else ()
    report: dict[str, Any] = {
        "host": {"kernel": platform.release(), "machine": platform.machine(), "euid": os.geteuid(),
                 "python": os.path.realpath(sys.executable)},
        "sysctls": {},
        "checks": {},
    }
    for name, path in SYSCTLS.items():
        try:
            report["sysctls"][name] = Path(path).read_text().strip()
        except OSError:
            report["sysctls"][name] = None  # not on this kernel
    checks = report["checks"]
    checks["user namespace"] = _probe(("user",))
    for ns in ("pid", "ipc", "uts", "net", "mnt", "cgroup"):
        checks[f"{ns} namespace"] = _probe(user + (ns,))
    checks["seccomp filter"] = _probe((), seccomp=True)
    controllers: list[str] = []
    cgroup_note = ""
    try:
        with AutopoieticSandbox(timeout_s=30) as sandbox:
            result = sandbox.run_source("import os\nprint(os.getuid(), os.path.exists('/etc'))")
            controllers, cgroup_note = sandbox.cgroup_status()
    except SandboxError as exc:
        checks["minimal root (pivot_root)"] = {"ok": False, "stage": "prepare", "errno": 0, "error": str(exc),
                                              "hint": "the interpreter's files could not be read"}
        result = None
    if result is not None:
        isolated = result["isolation"].startswith("unshare-namespaces")
        ok = isolated and result["success"] and result["output"].split() == ["65534", "False"]
        checks["minimal root (pivot_root)"] = (
            {"ok": True} if ok else {"ok": False, "stage": result["isolation"], "errno": 0,
                                     "error": result["error"][-500:], "hint": "see the other checks"})
    _, reason = LADDER.describe()
    entered = result["namespaces"] if result else []
    if not result or result["isolation"] == "error":
        plan = "none: the sandbox cannot run here (see the failed checks)"
    elif not entered:
        plan = ("direct-execution: rlimits, seccomp, no_new_privs, own session, closed fds, clean environment; "
                "no file system, process or network isolation")
    else:
        missing = sorted({"pid", "ipc", "uts", "net", "mnt", "cgroup"} - set(entered))
        plan = "full isolation" if not missing else f"partial isolation, without: {', '.join(missing)}"
    report["sandbox"] = {"isolation": result["isolation"] if result else "error", "namespaces": entered,
                         "fallback_reason": reason, "plan": plan, "cgroup_controllers": controllers,
                         "cgroup_note": cgroup_note}
    return report


def format_report(report: dict[str, Any]) -> str:
    host = report["host"]
    lines = [f"autopoietic doctor: Linux {host['kernel']} {host['machine']}, euid {host['euid']}, "
             f"python {host['python']}", ""]
    for name, value in report["sysctls"].items():
        lines.append(f"  sysctl {name} = {value if value is not None else '(not on this kernel)'}")
    lines.append("")
    for name, check in report["checks"].items():
        if check["ok"]:
            lines.append(f"  [ok]   {name}")
        else:
            lines.append(f"  [FAIL] {name}: {check['stage']}: {check['error']}")
            lines.append(f"         {check['hint']}")
    sandbox = report["sandbox"]
    lines += ["", f"A sandbox here runs as: {sandbox['isolation']} ({sandbox['plan']})"]
    if sandbox["namespaces"]:
        lines.append(f"  namespaces: {', '.join(sandbox['namespaces'])}")
    if sandbox["fallback_reason"]:
        lines.append(f"  last refusal: {sandbox['fallback_reason']}")
    if sandbox["cgroup_controllers"]:
        lines.append(f"  cgroup of each run: {', '.join(sandbox['cgroup_controllers'])} of the whole process tree")
    else:
        lines.append("  cgroup of each run: none; memory, processes and CPU are bounded per process only "
                     "(docs/limits.md says how to delegate a cgroup)")
    if sandbox["cgroup_note"]:
        lines.append(f"  cgroups: {sandbox['cgroup_note']}")
    return "\n".join(lines)
