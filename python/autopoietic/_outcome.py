"""From the C layer's raw outcome of a run to the result dict.

The raw outcome (``_sandbox.RunResult``) says how the process tree ended;
the runner's verdict (``_runner.py``, on a private pipe, carrying the run's
nonce) says whether the component's code got to the end.  ``interpret``
combines both, with the sandbox's limits, into an ``ExecutionResult``
(docs/api.md, "The result dict").
"""

from __future__ import annotations

import hmac
import os
import signal
from typing import TYPE_CHECKING, Any, NamedTuple, Optional

from ._common import ExecutionResult
from ._files import fetch_total, parse_fetched
from ._limits import Limits

if TYPE_CHECKING:
    from ._sandbox import RunResult

__all__ = ["CANCELLED", "STATUSES", "Verdict", "failed_result", "interpret", "parse_verdict"]

#: Limits the runner may report (its verdict's third field).
LIMIT_NAMES = frozenset({"memory", "cpu_time", "file_size", "open_files", "processes"})
CANCELLED = "cancelled: cleanup() was called during the run; the process tree was killed"
#: The result's ``status``, one word for how the run ended (docs/api.md,
#: "The result dict"): a limit's (limit_exceeded "wall_time" is
#: "timeout", "output" is "output_limit"), or ok, error (the program
#: failed on its own), cancelled (cleanup() during the run), sandbox_error
#: (the sandbox could not be set up or its fork server died).
STATUSES = ("ok", "error", "timeout", "cpu_time", "memory", "output_limit", "file_size", "open_files",
            "processes", "cancelled", "sandbox_error")
_LIMIT_STATUS = {"wall_time": "timeout", "output": "output_limit"}
#: A mount step of the plan: (kind, source, target, flags, data).
Mount = tuple[str, Optional[str], str, int, Optional[str]]


class Verdict(NamedTuple):
    """What the runner reported on its private pipe (see _runner.py)."""

    status: str  # "ok" or "error"
    stage: str
    limit: str  # one of LIMIT_NAMES, or ""
    peak_rss_kib: int
    reason: str
    fetched: bytes | None = None  # the fetch records (_runner.py), None: none were asked for


def parse_verdict(data: bytes, nonce: str) -> Verdict | None:
    """The verdict in data if it is well formed and carries nonce."""
    end = data.find(b"\x1e")
    text, fetched = (data, None) if end < 0 else (data[:end], data[end + 1:])
    try:
        fields = text.decode("utf-8").split("\x1f")
    except UnicodeDecodeError:
        return None
    # compare_digest takes ASCII str only; a peak of 20 ASCII digits at most
    # (str.isdigit() also takes other digits, which int() refuses or takes)
    if (len(fields) != 6 or not hmac.compare_digest(fields[0].encode("utf-8"), nonce.encode("ascii"))
            or not (fields[4].isascii() and fields[4].isdigit() and len(fields[4]) <= 20)):
        return None
    status, stage, limit, rss, reason = fields[1:]
    if status not in ("ok", "error") or (limit and limit not in LIMIT_NAMES):
        return None
    return Verdict(status, stage, limit, int(rss), reason, fetched)


def status_of(result: ExecutionResult, cancelled: bool) -> str:
    """The result's ``status`` (see STATUSES) from its other keys and
    whether the run was cancelled."""
    if result["isolation"] == "error":
        return "sandbox_error"
    limit = result["limit_exceeded"]
    if limit:
        return _LIMIT_STATUS.get(limit, limit)
    if result["success"]:
        return "ok"
    return "cancelled" if cancelled else "error"


def failed_result(message: str, elapsed: float, namespaces: tuple[str, ...], validated: bool,
                  controllers: list[str], fetch: list[str] | None = None) -> ExecutionResult:
    """The dict of a run the sandbox itself could not carry out."""
    _, errors = parse_fetched(None, fetch or [], 0, 0)
    return {
        "success": False, "output": "", "error": f"autopoietic: {message}", "execution_time": elapsed,
        "isolation": "error", "security_validated": validated, "exit_code": None, "signal": None,
        "timed_out": False, "limit_exceeded": None, "cpu_time_s": 0.0, "max_rss_kib": 0,
        "output_truncated": False, "namespaces": list(namespaces), "oom_killed": False,
        "cgroup_controllers": list(controllers), "stdout": "", "stderr": "", "status": "sandbox_error",
        "files": {}, "fetch_errors": errors, "landlock": None,
    }


def _with_reasons(stderr: str, reasons: list[str]) -> str:
    sep = "\n" if stderr and not stderr.endswith("\n") else ""
    return stderr + sep + "\n".join(f"autopoietic: {r}" for r in reasons)


def interpret(raw: RunResult, *, namespaces: tuple[str, ...], nonce: str, mode: str, validated: bool,
              mounts: list[Mount], controllers: list[str], limits: Limits, fetch: list[str] | None = None,
              strict: bool = False, landlock: dict[str, Any] | None = None) -> ExecutionResult:
    """The result dict of a run of ``mode`` ("component" or "source") that
    ended as raw; mounts is the run's mount plan (to name a failed mount);
    fetch the paths whose files the runner was to read back.  strict: a
    script succeeds only if the runner reported its main code finished (a
    script that ends itself with ``os._exit(0)`` did not).  landlock: the
    Landlock rung's ruleset (``_landlock.LandlockPlan.summary``), None on
    the other rungs."""
    result = _interpret(raw, namespaces, nonce, mode, validated, mounts, controllers, limits, fetch or [], strict,
                        landlock)
    result["stdout"] = result["output"]
    result["status"] = status_of(result, bool(raw["cancelled"]))
    return result


def _interpret(raw: RunResult, namespaces: tuple[str, ...], nonce: str, mode: str, validated: bool,
               mounts: list[Mount], controllers: list[str], limits: Limits, fetch: list[str],
               strict: bool, landlock: dict[str, Any] | None) -> ExecutionResult:
    stdout = raw["stdout"].decode("utf-8", "replace")
    stderr = raw["stderr"].decode("utf-8", "replace")
    truncated = bool(raw["stdout_truncated"] or raw["stderr_truncated"])
    result: ExecutionResult = {
        "success": False,
        "output": stdout,
        "error": stderr,
        "execution_time": float(raw["wall_s"]),
        "isolation": "unshare-namespaces" if namespaces else ("landlock" if landlock else "direct-execution"),
        "security_validated": validated,
        "exit_code": raw["exit_code"],
        "signal": raw["signal"],
        "timed_out": bool(raw["timed_out"]),
        "limit_exceeded": None,
        "cpu_time_s": float(raw["cpu_s"]),
        "max_rss_kib": int(raw["max_rss_kib"]),
        "output_truncated": truncated,
        "namespaces": list(namespaces),
        "oom_killed": raw["cgroup_oom_kills"] > 0,
        "cgroup_controllers": list(controllers),
        "stdout": stdout,
        "stderr": stderr,
        "status": "",
        "files": {},
        "fetch_errors": parse_fetched(None, fetch, 0, 0)[1],
        "landlock": landlock,
    }
    if raw["setup_error"] is not None:
        stage, err, detail = raw["setup_error"]
        where = stage
        if stage == "mount" and 0 <= detail < len(mounts):
            kind, src, dst, _, _ = mounts[detail]
            where = f"mount ({kind} {src + ' -> ' if src else ''}{dst})"
        result["isolation"] = "error"
        result["error"] = (
            f"sandbox setup failed at stage {where}: {os.strerror(err)} (errno {err})"
            + (f"\n{stderr}" if stderr else "")
        )
        return result

    if raw["cancelled"]:
        result["error"] = _with_reasons(stderr, [CANCELLED])
        return result
    verdict = parse_verdict(raw["verdict"], nonce) if raw["verdict"] else None
    if verdict is not None and fetch:
        result["files"], result["fetch_errors"] = parse_fetched(verdict.fetched, fetch, limits.max_output_bytes,
                                                                fetch_total(limits.scratch_bytes))
    # the whole tree's peak: the cgroup's where there is one (which the
    # component cannot report itself), else the largest process seen
    if raw["cgroup_memory_peak"] > 0:
        result["max_rss_kib"] = raw["cgroup_memory_peak"] // 1024
    elif verdict is not None:
        result["max_rss_kib"] = max(result["max_rss_kib"], verdict.peak_rss_kib)
    sig = raw["signal"]
    if raw["timed_out"]:
        result["isolation"] += "-timeout"
        limit: Optional[str] = "wall_time"
    elif result["oom_killed"]:
        limit = "memory"
    elif raw["cpu_exceeded"] or sig == signal.SIGXCPU:
        limit = "cpu_time"
    elif verdict is not None and verdict.limit:
        limit = verdict.limit
    elif sig == signal.SIGXFSZ:
        limit = "file_size"
    elif truncated:
        limit = "output"
    else:
        limit = None
    reasons = [limits.reason(limit, result["oom_killed"])] if limit else []
    if sig is not None and limit is None:
        try:
            name = signal.Signals(sig).name
        except ValueError:
            name = str(sig)
        reasons.append(f"killed by signal {name} ({sig})")

    exit_ok = raw["exit_code"] == 0
    if raw["verdict"] and verdict is None:
        reasons.append("the verdict on the runner's private pipe was malformed or forged; not a success")
    if mode == "component":
        ran = exit_ok and verdict is not None and verdict.status == "ok"
        if exit_ok and not ran and verdict is None and not raw["verdict"]:
            reasons.append("the process exited with status 0 but the runner never reported run() returning")
    else:
        # no verdict is fine (os._exit(0) in a script); a malformed one is not
        ran = exit_ok and ((not raw["verdict"] and not strict) or (verdict is not None and verdict.status == "ok"))
        if strict and exit_ok and not raw["verdict"]:
            reasons.append("the program ended with status 0 before its main code finished (os._exit)")
    result["limit_exceeded"] = limit
    result["success"] = ran and limit is None
    if reasons:
        result["error"] = _with_reasons(stderr, reasons)
    return result
