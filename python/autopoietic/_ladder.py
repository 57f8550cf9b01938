"""The fallback ladder: which isolation this host lets the process use.

The rungs, best first: the namespace sets (``FULL_NAMESPACES`` with a user
namespace, then without one for root, then the same without a network
namespace), then ``landlock`` (no namespace: a Landlock ruleset, ``_landlock``),
then direct execution.  The first run probes the best rung for real; a
setup stage refused by the host (``namespaces_refused``) moves the whole
process down one rung, with a logged WARNING saying why.  The Landlock rung
is skipped, with a WARNING, where the kernel has none.  ``doctor`` reads
the same ladder (``LADDER.describe()``).
"""

from __future__ import annotations

import errno
import os
import threading
from typing import Any, NamedTuple

from . import _landlock
from ._common import SandboxError, logger

__all__ = ["FULL_NAMESPACES", "LADDER", "LANDLOCK", "NamespaceLadder", "Rung", "check_requirement",
           "namespace_hint", "namespaces_refused"]

#: Every namespace but user: what "full isolation" means.
FULL_NAMESPACES = ("pid", "ipc", "uts", "net", "mnt", "cgroup")
NO_NET_NAMESPACES = ("pid", "ipc", "uts", "mnt", "cgroup")
# Setup stages whose failure means "this host does not let us create or
# enter namespaces", as opposed to a failure of the run itself.
NAMESPACE_STAGES = frozenset(
    {"clone", "setgroups", "uid_map", "gid_map", "cgroup_ns", "sethostname", "mount_private", "mount_proc"}
)
CLONE_REFUSALS = frozenset({errno.EPERM, errno.EACCES, errno.ENOSPC, errno.EUSERS, errno.EINVAL, errno.ENOSYS})


def namespace_hint(stage: str, err: int) -> str:
    """A human explanation of why namespaces could not be set up."""
    if stage == "clone" and err in (errno.EPERM, errno.EACCES):
        return (
            "creating namespaces is not permitted: unprivileged user namespaces may be "
            "disabled (sysctl kernel.unprivileged_userns_clone=0, or AppArmor's "
            "kernel.apparmor_restrict_unprivileged_userns=1 on Ubuntu 24.04), or a "
            "container's seccomp policy or missing CAP_SYS_ADMIN forbids it"
        )
    if stage == "clone" and err in (errno.ENOSPC, errno.EUSERS):
        return ("a namespace limit is reached (sysctl user.max_user_namespaces, user.max_net_namespaces, "
                "user.max_pid_namespaces ... is 0 or exhausted)")
    if stage == "clone" and err in (errno.EINVAL, errno.ENOSYS):
        return "the kernel does not support one of the namespaces (pid, ipc, uts, net, mnt, cgroup, user)"
    if stage in ("setgroups", "uid_map", "gid_map"):
        return "writing the user namespace's id maps was refused"
    if stage == "mount_proc":
        return "mounting a /proc of the new pid namespace was refused (a container that masks /proc?)"
    return f"namespace setup step {stage} was refused"


def namespaces_refused(setup: tuple[str, int, int], options: dict[str, Any]) -> bool:
    """Did the setup fail because the host refuses these namespaces (so a
    lesser rung of the ladder may work), rather than for this run?"""
    stage, err, detail = setup
    if stage == "landlock":
        return True  # any refusal of the ruleset: the host's kernel or policy
    # a refusal, not a passing shortage (EAGAIN, ENOMEM: the run fails, the
    # next one tries full isolation again)
    if err not in CLONE_REFUSALS:
        return False
    if stage in NAMESPACE_STAGES:
        return True
    mounts = options.get("mounts", ())
    # mounting a proc of our own pid namespace is refused in containers that
    # mask parts of /proc: that is the host, not the run
    return stage == "mount" and 0 <= detail < len(mounts) and mounts[detail][0] == "proc"


class Rung(NamedTuple):
    """One rung of the ladder: the namespaces to create, and whether the
    run gets a Landlock ruleset (the ``landlock`` rung: no namespace)."""

    namespaces: tuple[str, ...]
    landlock: bool = False

    @property
    def name(self) -> str:
        return _landlock.ISOLATION if self.landlock else ",".join(self.namespaces)


#: The rung between the namespace rungs and direct execution.
LANDLOCK = Rung((), landlock=True)
def check_requirement(value: object) -> bool | str:
    """The require_isolation option checked: True, False or "landlock"
    (the environment variable's "1", "0", "" and "landlock" too).  Raises
    ValueError for anything else."""
    if isinstance(value, str) and value in ("1", "0", ""):
        return value == "1"
    if value == "landlock":
        return "landlock"
    if isinstance(value, (bool, int)) and value in (0, 1):
        return bool(value)
    raise ValueError(f"require_isolation must be True, False or 'landlock', got {value!r}")


class NamespaceLadder:
    """Process-wide: the rungs still worth trying, best first."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._candidates: list[Rung] | None = None
        self.reason = ""
        #: why the Landlock rung was left (or skipped), "" while it was not
        self.landlock_reason = ""

    def _initial(self) -> list[Rung]:
        # A user namespace first, for root too: the component then holds
        # no capability of the host.  root may create the other namespaces
        # without one where user namespaces are disabled.  Then the same
        # without a network namespace, where creating one fails.  Then
        # Landlock, where the kernel has it.
        if os.geteuid() == 0:
            sets = [("user",) + FULL_NAMESPACES, FULL_NAMESPACES, ("user",) + NO_NET_NAMESPACES, NO_NET_NAMESPACES]
        else:
            sets = [("user",) + FULL_NAMESPACES, ("user",) + NO_NET_NAMESPACES]
        return [Rung(ns) for ns in sets] + [LANDLOCK]

    def current(self) -> Rung | None:
        """The rung to use now, or None for direct execution."""
        with self._lock:
            if self._candidates is None:
                self._candidates = self._initial()
            self._skip_landlock_if_unavailable()
            return self._candidates[0] if self._candidates else None

    def _skip_landlock_if_unavailable(self) -> None:
        """At the Landlock rung: leave it (WARNING) where the kernel has none."""
        assert self._candidates is not None
        if self._candidates and self._candidates[0] == LANDLOCK:
            try:
                _landlock.abi()
            except OSError as exc:
                self._candidates.pop(0)
                self.landlock_reason = _landlock.unavailable_reason(exc)
                self._warn_direct(self.landlock_reason)

    def choose(self, require_isolation: bool | str) -> Rung | None:
        """current(), or SandboxError when the rung reached is below what
        require_isolation asks: True every namespace of FULL_NAMESPACES,
        "landlock" that rung or a namespace rung."""
        rung = self.current()
        if require_isolation == "landlock":
            if rung is None:
                raise SandboxError(
                    "isolation is required (require_isolation='landlock') but neither namespaces nor Landlock "
                    f"are available on this host: {self.reason}; {self.landlock_reason}")
        elif require_isolation and (rung is None or not set(FULL_NAMESPACES) <= set(rung.namespaces)):
            raise SandboxError(
                "isolation is required but full isolation (pid, ipc, uts, net, mnt and cgroup "
                f"namespaces) is unavailable on this host: {self.reason} (require_isolation='landlock' "
                "accepts the landlock rung where the host refuses namespaces)"
            )
        return rung

    def describe(self) -> tuple[list[Rung], str]:
        """(rungs still to try, reason of the last failure)."""
        self.current()
        with self._lock:
            return list(self._candidates or []), self.reason

    def failed(self, rung: Rung, stage: str, err: int) -> None:
        """Record that ``rung`` cannot be set up on this host."""
        with self._lock:
            if not self._candidates or self._candidates[0] != rung:
                return  # another thread already moved on
            self._candidates.pop(0)
            why = f"{stage}: {os.strerror(err)}"
            if rung.landlock:
                self.landlock_reason = f"{why} (the kernel refused the Landlock ruleset)"
                self._warn_direct(self.landlock_reason)
                return
            self.reason = f"{why} ({namespace_hint(stage, err)})"
            following = self._candidates[0]
            if following.landlock:
                logger.warning(
                    "autopoietic: Linux namespaces are unavailable on this host (%s); sandboxes fall back to "
                    "the landlock rung (a Landlock ruleset, rlimits, seccomp, no_new_privs, own session, closed "
                    "fds, clean environment; no pid, network or mount namespace) unless they require full "
                    "isolation (require_isolation=True or AUTOPOIETIC_REQUIRE_ISOLATION=1), which refuses "
                    "instead; `python -m autopoietic doctor` says how to allow namespaces here.", self.reason)
            else:
                logger.warning("autopoietic: namespaces %s unavailable (%s); trying %s", ",".join(rung.namespaces),
                               self.reason, following.name)

    def _warn_direct(self, why: str) -> None:
        logger.warning(
            "autopoietic: the landlock rung is unavailable on this host (%s); sandboxes fall back to "
            "direct-execution (rlimits, seccomp, no_new_privs, own session, closed fds, clean environment; "
            "the host's files as the caller sees them) unless they require isolation (require_isolation=True "
            "or 'landlock', AUTOPOIETIC_REQUIRE_ISOLATION=1 or landlock), which refuses instead.", why)


#: The ladder of this process.
LADDER = NamespaceLadder()
