"""Names every layer of the package shares: the error, the result dict, the
logger, and the component protocol's markers.

Nothing here imports another module of the package (the validator's
``Finding`` is for type checkers only), so the validator, the run machinery
(``_ladder``, ``_ids``, ``_workdirs``, ``_limits``, ``_outcome``,
``_launch``) and the public ``sandbox`` module all import from here and
never from each other upwards.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Optional, TypedDict

if TYPE_CHECKING:
    from .validator import Finding

__all__ = [
    "CellResult",
    "ExecutionResult",
    "HOSTNAME",
    "MARKER_ATTRIBUTE",
    "SANDBOX_UID",
    "SIGNATURE_ATTRIBUTE",
    "SIGNATURE_PREFIX",
    "SandboxError",
    "logger",
]

#: The logger of the sandbox's warnings (a fallback to a lesser rung of the
#: namespace ladder, warm mode unavailable, no cgroup).
logger = logging.getLogger("autopoietic.sandbox")

#: The unprivileged uid/gid the component runs as (inside; for root callers
#: on the host too).
SANDBOX_UID = 65534
#: The host name inside the sandbox's uts namespace.
HOSTNAME = "sandbox"

# The component protocol (docs/api.md, "The component protocol"): the
# class must carry both attributes; the signature is a string starting
# with the prefix.  The runner checks the attributes, the validator the
# tokens that set them (validator.py passes these to the C scanner).
SIGNATURE_ATTRIBUTE = "_security_signature"
SIGNATURE_PREFIX = "modulo_autopoiesis_data_"
MARKER_ATTRIBUTE = "_generated_in_sandbox"


class ExecutionResult(TypedDict):
    """The result dict (docs/api.md, "The result dict"): every key is
    always present."""

    success: bool
    output: str
    error: str
    execution_time: float
    isolation: str
    security_validated: bool
    exit_code: Optional[int]
    signal: Optional[int]
    timed_out: bool
    limit_exceeded: Optional[str]
    cpu_time_s: float
    max_rss_kib: int
    output_truncated: bool
    namespaces: list[str]
    oom_killed: bool
    cgroup_controllers: list[str]
    stdout: str
    stderr: str
    status: str
    files: dict[str, bytes]
    fetch_errors: dict[str, str]
    landlock: Optional[dict[str, Any]]


class CellResult(ExecutionResult):
    """The result dict of one cell of a session (docs/api.md, "Sessions"):
    a run's keys, plus ``cell`` (its number, from 1) and ``session_ended``
    (True: this cell ended the session; later calls raise SandboxError)."""

    cell: int
    session_ended: bool


class SandboxError(Exception):
    """Validation refused, bad input, or isolation required but unavailable.

    ``findings`` lists the validator's ``Finding`` objects when the validator
    refused the code, and is empty otherwise.
    """

    def __init__(self, message: str, findings: tuple[Finding, ...] | list[Finding] = ()) -> None:
        super().__init__(message)
        self.findings: list[Finding] = list(findings)
