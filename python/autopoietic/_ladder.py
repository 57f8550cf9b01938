"""The namespace ladder: which namespaces this host lets the process create.

The first run probes the best rung for real; a setup stage refused by the
host (``namespaces_refused``) moves the whole process down one rung, with a
logged WARNING saying why.  Below the last rung is direct execution.
``doctor`` reads the same ladder (``LADDER.describe()``).
"""

from __future__ import annotations

import errno
import os
import threading
from typing import Any

from ._common import SandboxError, logger

__all__ = ["FULL_NAMESPACES", "LADDER", "NamespaceLadder", "namespace_hint", "namespaces_refused"]

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


class NamespaceLadder:
    """Process-wide: the namespace sets still worth trying, best first."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._candidates: list[tuple[str, ...]] | None = None
        self.reason = ""

    def current(self) -> tuple[str, ...] | None:
        """The namespaces to use now, or None for direct execution."""
        with self._lock:
            if self._candidates is None:
                # The fallback ladder, best first.  A user namespace first,
                # for root too: the component then holds no capability of
                # the host.  root may create the other namespaces without
                # one where user namespaces are disabled.  Then the same
                # without a network namespace, where creating one fails.
                if os.geteuid() == 0:
                    self._candidates = [("user",) + FULL_NAMESPACES, FULL_NAMESPACES,
                                        ("user",) + NO_NET_NAMESPACES, NO_NET_NAMESPACES]
                else:
                    self._candidates = [("user",) + FULL_NAMESPACES, ("user",) + NO_NET_NAMESPACES]
            return self._candidates[0] if self._candidates else None

    def choose(self, require_isolation: bool) -> tuple[str, ...] | None:
        """current(), or SandboxError when isolation is required and the
        rung reached lacks one of FULL_NAMESPACES."""
        namespaces = self.current()
        if require_isolation and (namespaces is None or not set(FULL_NAMESPACES) <= set(namespaces)):
            raise SandboxError(
                "isolation is required but full isolation (pid, ipc, uts, net, mnt and cgroup "
                f"namespaces) is unavailable on this host: {self.reason}"
            )
        return namespaces

    def describe(self) -> tuple[list[tuple[str, ...]], str]:
        """(namespace sets still to try, reason of the last failure)."""
        self.current()
        with self._lock:
            return list(self._candidates or []), self.reason

    def failed(self, namespaces: tuple[str, ...], stage: str, err: int) -> None:
        """Record that ``namespaces`` cannot be set up on this host."""
        with self._lock:
            if not self._candidates or self._candidates[0] != namespaces:
                return  # another thread already moved on
            self._candidates.pop(0)
            self.reason = f"{stage}: {os.strerror(err)} ({namespace_hint(stage, err)})"
            if self._candidates:
                logger.warning("autopoietic: namespaces %s unavailable (%s); trying %s", ",".join(namespaces),
                               self.reason, ",".join(self._candidates[0]))
            else:
                logger.warning(
                    "autopoietic: Linux namespaces are unavailable on this host (%s); sandboxes fall "
                    "back to direct-execution (rlimits, seccomp, no_new_privs, own session, closed fds, "
                    "clean environment) unless they require isolation (require_isolation=True or "
                    "AUTOPOIETIC_REQUIRE_ISOLATION=1), which refuses instead.",
                    self.reason,
                )


#: The ladder of this process.
LADDER = NamespaceLadder()
