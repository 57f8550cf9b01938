"""``python -m autopoietic doctor``: what isolation this host allows, and why not.

Each mechanism is probed for real, by running the interpreter through the C
extension with that mechanism alone, so the answer is the kernel's, with the
errno and a hint where it refuses (AppArmor's user namespace restriction on
Ubuntu 24.04, ``kernel.unprivileged_userns_clone=0``, ``user.max_user_namespaces``,
a container without CAP_SYS_ADMIN or with a seccomp policy).  Landlock's ABI
is asked of the kernel, with what it lacks.  Then one full run through
``AutopoieticSandbox`` shows which rung of the fallback ladder this process
ends on, and where that is below full isolation, the recipes of
docs/deployment.md that give this host namespaces (``recipes``), least
privilege first.
"""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path
from typing import Any

from . import _landlock, _sandbox
from ._common import HOSTNAME
from ._ids import own_id_maps
from ._ladder import LADDER, namespace_hint
from .sandbox import AutopoieticSandbox, SandboxError

__all__ = ["diagnose", "format_report", "recipes"]

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
    try:
        version = _landlock.abi()
        missing = _landlock.missing_features(version)
        checks["landlock"] = {"ok": True, "abi": version, "missing": missing}
    except OSError as exc:
        checks["landlock"] = {"ok": False, "stage": "landlock_create_ruleset", "errno": exc.errno or 0,
                              "error": os.strerror(exc.errno or 0), "hint": _landlock.unavailable_reason(exc),
                              "abi": None, "missing": []}
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
    if result is not None and result["isolation"].startswith("landlock"):
        checks["minimal root (pivot_root)"] = {
            "ok": False, "stage": "landlock", "errno": 0, "error": "no mount namespace, so no minimal root",
            "hint": "the landlock rung's ruleset limits what the component reads and writes instead"}
    elif result is not None:
        isolated = result["isolation"].startswith("unshare-namespaces")
        ok = isolated and result["success"] and result["output"].split() == ["65534", "False"]
        checks["minimal root (pivot_root)"] = (
            {"ok": True} if ok else {"ok": False, "stage": result["isolation"], "errno": 0,
                                     "error": result["error"][-500:], "hint": "see the other checks"})
    _, reason = LADDER.describe()
    entered = result["namespaces"] if result else []
    if not result or result["isolation"] == "error":
        plan = "none: the sandbox cannot run here (see the failed checks)"
    elif result["isolation"].startswith("landlock"):
        plan = ("landlock: a Landlock ruleset (the interpreter's files read-only, a work directory per run), "
                "rlimits, seccomp, no_new_privs, own session, closed fds, clean environment; no pid, network or "
                "mount namespace: host processes' existence, the hostname and kernel information stay visible")
    elif not entered:
        plan = ("direct-execution: rlimits, seccomp, no_new_privs, own session, closed fds, clean environment; "
                "no file system, process or network isolation")
    else:
        missing = sorted({"pid", "ipc", "uts", "net", "mnt", "cgroup"} - set(entered))
        plan = "full isolation" if not missing else f"partial isolation, without: {', '.join(missing)}"
    report["sandbox"] = {"isolation": result["isolation"] if result else "error", "namespaces": entered,
                         "fallback_reason": reason, "plan": plan, "cgroup_controllers": controllers,
                         "cgroup_note": cgroup_note, "landlock": result["landlock"] if result else None}
    report["recipes"] = recipes(report)
    return report


def _in_container() -> bool:
    """A container runtime's marks: its files, or its cgroup path."""
    if os.path.exists("/.dockerenv") or os.path.exists("/run/.containerenv"):
        return True
    try:
        text = Path("/proc/1/cgroup").read_text()
    except OSError:
        return False
    return any(mark in text for mark in ("docker", "kubepods", "containerd", "libpod"))


def _seccomp_filtered() -> bool:
    """This process runs under a seccomp filter (a container's profile)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Seccomp:"):
                return line.split()[1] == "2"
    except (OSError, IndexError):
        pass
    return False


def recipes(report: dict[str, Any]) -> list[str]:
    """recipes(report) -> list[str]: the docs/deployment.md recipes that
    fit what diagnose() found, least privilege first; [] where a sandbox
    has full isolation and a cgroup."""
    found: list[str] = []
    python = report["host"]["python"]
    sandbox = report["sandbox"]
    full = sandbox["plan"] == "full isolation"
    user_ns = report["checks"].get("user namespace", {})
    if not full and report["sysctls"].get("kernel.apparmor_restrict_unprivileged_userns") == "1" \
            and not user_ns.get("ok", True):
        found.append(
            "AppArmor restricts unprivileged user namespaces (Ubuntu 23.10 and later): allow them for this "
            "interpreter alone, as root, with the profile /etc/apparmor.d/autopoietic-python:\n"
            "    abi <abi/4.0>,\n"
            "    include <tunables/global>\n"
            f"    profile autopoietic-python {python} flags=(unconfined) {{\n"
            "      userns,\n"
            "    }\n"
            "  then: apparmor_parser -r /etc/apparmor.d/autopoietic-python (docs/deployment.md, \"Ubuntu 23.10 "
            "and later\"; not sysctl kernel.apparmor_restrict_unprivileged_userns=0, which lifts it for every "
            "program)")
    if not full and (_in_container() or _seccomp_filtered()) and user_ns.get("errno") in (1, 13):
        found.append(
            "a container's seccomp profile refuses unshare and clone with namespace flags (Docker's, "
            "containerd's and Kubernetes' RuntimeDefault): run the container with a profile that allows them, "
            "never --privileged or CAP_SYS_ADMIN:\n"
            "    docker run --security-opt seccomp=/path/to/autopoietic-seccomp.json ...\n"
            "    Kubernetes: securityContext.seccompProfile {type: Localhost, localhostProfile: "
            "profiles/autopoietic-seccomp.json}\n"
            "  the profile is the runtime's default with unshare, setns, clone and clone3 allowed "
            "(docs/deployment.md, \"Docker and Kubernetes\")")
    if report["sysctls"].get("user.max_user_namespaces") == "0":
        found.append("user.max_user_namespaces is 0: sysctl -w user.max_user_namespaces=15000 (as root; "
                     "inside a container, its runtime or the host sets it)")
    if not sandbox["cgroup_controllers"]:
        found.append(
            "no cgroup for each run (memory, processes and CPU of the whole tree): run the caller in a "
            "delegated cgroup v2 subtree, for a normal user:\n"
            "    systemd-run --user --scope -p Delegate=yes <your program>\n"
            "  (docs/limits.md, \"Delegating a cgroup\")")
    return found


def format_report(report: dict[str, Any]) -> str:
    host = report["host"]
    lines = [f"autopoietic doctor: Linux {host['kernel']} {host['machine']}, euid {host['euid']}, "
             f"python {host['python']}", ""]
    for name, value in report["sysctls"].items():
        lines.append(f"  sysctl {name} = {value if value is not None else '(not on this kernel)'}")
    lines.append("")
    for name, check in report["checks"].items():
        if check["ok"] and name == "landlock":
            lacks = f"; lacks {', '.join(check['missing'])}" if check["missing"] else ""
            lines.append(f"  [ok]   landlock (ABI {check['abi']}{lacks})")
        elif check["ok"]:
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
    if sandbox.get("landlock"):
        for _needed, name, what in _landlock.FEATURES:
            if name in sandbox["landlock"]["missing"]:
                lines.append(f"  landlock lacks {name}: {what}")
    if report.get("recipes"):
        lines += ["", "To give this host full isolation (docs/deployment.md), least privilege first:"]
        lines += [f"- {recipe}" for recipe in report["recipes"]]
    return "\n".join(lines)
