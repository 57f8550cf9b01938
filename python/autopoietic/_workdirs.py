"""Work directories on the host: one per sandbox object, one per run in it.

A sandbox object owns ``<temp_dir>/autopoietic-<pid>-<random>``; each run
(or each fork server) makes ``run-<random>`` in it for the mount point of
its new root, or, in direct execution, as the component's home.  The
owner's pid in the name lets the next sandbox remove what a caller killed
with SIGKILL left behind (``remove_stale_roots``).
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
import weakref

from . import _cgroup
from ._common import SandboxError, logger

__all__ = ["WorkRoot", "empty_directory", "remove_tree"]


def remove_stale_roots(parent: str) -> None:
    """Remove work directories of sandboxes whose process is gone (killed
    with SIGKILL, say): ``autopoietic-<pid>-*`` owned by this uid, with no
    live process of that pid.  A reused pid only keeps a stale directory."""
    for entry in _cgroup.dead_owners(parent):
        try:
            if entry.stat(follow_symlinks=False).st_uid == os.geteuid():
                remove_tree(entry.path)
        except OSError:
            continue


def _remove_own_tree(path: str, owner_pid: int) -> None:
    if os.getpid() == owner_pid:
        remove_tree(path)


_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def _open_dir(name: str, dir_fd: int | None = None) -> int:
    """An fd of the directory name (relative to dir_fd), never through a
    symbolic link, after giving it mode 0700 (a component may have taken
    our read or write bit away; chmod goes through an O_PATH fd of it, as
    a path name could be swapped for a link meanwhile).  Raises OSError."""
    handle = os.open(name, os.O_PATH | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=dir_fd)
    try:
        os.chmod(f"/proc/self/fd/{handle}", stat.S_IRWXU)
    finally:
        os.close(handle)
    return os.open(name, _DIR_FLAGS, dir_fd=dir_fd)


def _flatten_and_remove(path: str) -> None:
    """Remove everything under the directory path, however deep, without
    recursion and with short paths: each directory found at the top is
    emptied by moving its subdirectories up to the top (under fresh names)
    and unlinking the rest, then removed.  A component can make a tree far
    deeper than Python's recursion limit (shutil.rmtree recurses) or than
    PATH_MAX.  Every step is relative to an fd of a directory opened with
    O_NOFOLLOW, so a symbolic link swapped in by a process of the run is
    removed as a link, never followed out of the tree."""
    top = _open_dir(path)
    try:
        counter = 0
        while True:
            with os.scandir(top) as listing:
                entries = [(e.name, e.is_dir(follow_symlinks=False)) for e in listing]
            if not entries:
                return
            for name, is_dir in entries:
                if not is_dir:
                    os.unlink(name, dir_fd=top)
                    continue
                inner = _open_dir(name, top)
                try:
                    with os.scandir(inner) as listing:
                        items = [(e.name, e.is_dir(follow_symlinks=False)) for e in listing]
                    for item, item_is_dir in items:
                        if not item_is_dir:
                            os.unlink(item, dir_fd=inner)
                            continue
                        # moving a directory writes its "..": it needs our write bit
                        os.close(_open_dir(item, inner))
                        while True:
                            counter += 1
                            target = f".autopoietic-{counter}"
                            try:
                                os.stat(target, dir_fd=top, follow_symlinks=False)
                            except FileNotFoundError:
                                break
                        os.rename(item, target, src_dir_fd=inner, dst_dir_fd=top)
                finally:
                    os.close(inner)
                os.rmdir(name, dir_fd=top)
    finally:
        os.close(top)


def remove_tree(path: str) -> None:
    """Remove a work directory, also where the component removed our
    permission bits on what it made (direct execution as a normal user)
    or made it deeper than any recursion (_flatten_and_remove)."""
    if not os.path.lexists(path):
        return
    try:
        if os.path.islink(path) or not os.path.isdir(path):
            os.unlink(path)
            return
        _flatten_and_remove(path)
        os.rmdir(path)
    except OSError as exc:
        logger.warning("autopoietic: could not remove the work directory %s: %s", path, exc)


def empty_directory(path: str) -> None:
    """Remove everything in path (however deep), keep path."""
    try:
        _flatten_and_remove(path)
    except OSError as exc:
        logger.warning("autopoietic: could not empty %s: %s", path, exc)


class WorkRoot:
    """The work directory of the sandbox object ``owner``, under temp_dir
    (default: the system temp directory), removed by ``remove()`` or when
    owner is garbage collected.  Raises SandboxError when it cannot be
    made.  Only the creating process removes it: a forked copy of the
    process (multiprocessing, os.fork) exits without taking it."""

    def __init__(self, temp_dir: str | None, owner: object) -> None:
        where = temp_dir or tempfile.gettempdir()
        remove_stale_roots(where)
        try:
            # the owner's pid in the name: a caller killed with SIGKILL
            # cannot clean up, the next sandbox does (remove_stale_roots)
            self.path = tempfile.mkdtemp(prefix=f"autopoietic-{os.getpid()}-", dir=temp_dir)
        except OSError as exc:
            raise SandboxError(f"cannot create the sandbox's work directory under {where!r}: {exc}") from exc
        self._finalizer = weakref.finalize(owner, _remove_own_tree, self.path, os.getpid())

    @property
    def alive(self) -> bool:
        """False once remove() ran."""
        return self._finalizer.alive

    def remove(self) -> None:
        """Remove the directory (in the creating process only); idempotent."""
        self._finalizer()

    def check_alive(self) -> None:
        """SandboxError once the sandbox object was cleaned up."""
        if not self._finalizer.alive:
            raise SandboxError("this sandbox was cleaned up; create a new AutopoieticSandbox")

    def new(self) -> str:
        """A fresh ``run-*`` directory (mode 0700); SandboxError when it
        cannot be made or the sandbox was cleaned up."""
        self.check_alive()
        try:
            return tempfile.mkdtemp(prefix="run-", dir=self.path)
        except FileNotFoundError:
            # Someone removed our directory while we were in use: make it again.
            try:
                os.makedirs(self.path, mode=0o700, exist_ok=True)
                return tempfile.mkdtemp(prefix="run-", dir=self.path)
            except OSError as exc:
                raise SandboxError(f"cannot create a work directory under {self.path!r}: {exc}") from exc
        except OSError as exc:
            raise SandboxError(f"cannot create a work directory under {self.path!r}: {exc}") from exc
