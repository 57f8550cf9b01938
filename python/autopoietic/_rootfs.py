"""The sandbox's minimal root file system, derived from the running interpreter.

Nothing here is a distribution path: what the interpreter needs is read off
this process.  ``sys.base_prefix`` (the standard library), the real
interpreter binary, its ELF interpreter (the dynamic loader named in
PT_INTERP) and the directories of the shared libraries a fresh
``python -I -S`` maps once it has imported the standard library's C
extension modules are bound read-only at their host paths, so RUNPATHs and the
loader's default search path work unchanged.  Every symlink met on the way to
those paths (``/lib64 -> usr/lib64`` ...) is recreated.  Site-packages and
this package are left out: components see the standard library only.

Around that: ``/dev/null``, ``/dev/zero``, ``/dev/urandom`` (bind mounts),
a ``/proc`` of the sandbox's pid namespace, size- and inode-limited tmpfs at
``/tmp``, ``/work`` and ``/dev/shm`` (``noexec``), then ``pivot_root`` and a read-only
remount of the root.  ``/etc``, ``/home``, ``/root``, ``/sys`` and the
caller's directories do not exist inside.
"""

from __future__ import annotations

import functools
import os
import re
import site
import struct
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

__all__ = ["HostPlan", "host_plan", "mount_ops", "SANDBOX_WORKDIR", "SANDBOX_TMPDIR"]

# mount(2) flags (linux/mount.h); statvfs's ST_* flags share these values
# for the five we read.
MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8

SANDBOX_WORKDIR = "/work"
SANDBOX_TMPDIR = "/tmp"
#: POSIX shared memory and semaphores (shm_open, sem_open: multiprocessing's
#: locks, queues and pools) are files here
SANDBOX_SHMDIR = "/dev/shm"
DEVICES = ("/dev/null", "/dev/zero", "/dev/urandom")
#: Files of the sandbox's /proc that show what the host and its other
#: users do, each covered by a read-only bind of /dev/null (it reads as
#: empty): runc's masked paths (kcore, keys, latency_stats, timer_list,
#: timer_stats, sched_debug, interrupts), and the host's disks, swap,
#: IRQ and lock activity, module list, key quotas of every uid (root's
#: included), the host-wide open-file, AIO, inode and dentry counts, and
#: its terminal drivers, the count of cgroups.  /proc/stat, meminfo,
#: cpuinfo, loadavg and uptime stay: the C library and os.cpu_count read
#: them (/proc/stat's intr and softirq lines repeat what interrupts and
#: softirqs show).
PROC_MASKED_FILES = (
    "kcore", "keys", "key-users", "latency_stats", "timer_list", "timer_stats", "sched_debug", "interrupts",
    "softirqs", "diskstats", "partitions", "swaps", "locks", "modules", "buddyinfo", "zoneinfo",
    "pagetypeinfo", "vmallocinfo", "slabinfo", "tty/drivers", "sys/fs/file-nr", "sys/fs/aio-nr",
    "sys/fs/inode-nr", "sys/fs/dentry-state", "sys/fs/inode-state", "sys/kernel/random/entropy_avail",
    "cgroups",  # num_cgroups counts other sandboxes' runs
)
#: Directories of /proc covered by an empty read-only tmpfs: runc's, and
#: fs (ext4's per-disk free-space maps and allocator statistics).
PROC_MASKED_DIRS = ("acpi", "scsi", "fs")
#: Options of the root tmpfs itself: it only holds mount points and symlinks.
ROOT_TMPFS_OPTIONS = "size=1m,nr_inodes=4096,mode=0755"


@dataclass(frozen=True)
class HostPlan:
    """Host paths to bind (real directories, with the mount flags they must
    keep) and symlinks to recreate (link path -> target text)."""

    binds: tuple[tuple[str, int], ...]
    symlinks: tuple[tuple[str, str], ...]
    masks: tuple[str, ...] = ()  # excluded directories inside a bind: covered by an empty tmpfs


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def _resolve(path: str, links: dict[str, str], depth: int = 0) -> str:
    """The real path of path, recording each symlink met on the way."""
    if depth > 40:
        raise OSError(f"too many levels of symbolic links resolving {path}")
    parts = [p for p in path.split("/") if p]
    current = "/"
    for i, part in enumerate(parts):
        if part == "..":
            current = os.path.dirname(current)
            continue
        if part == ".":
            continue
        candidate = os.path.join(current, part)
        if os.path.islink(candidate):
            target = os.readlink(candidate)
            links[candidate] = target
            base = target if target.startswith("/") else os.path.join(current, target)
            rest = "/".join(parts[i + 1:])
            return _resolve(os.path.join(base, rest) if rest else base, links, depth + 1)
        current = candidate
    return current


def _elf_interpreter(path: str) -> str | None:
    """PT_INTERP of a 64-bit little-endian ELF file (the dynamic loader)."""
    with open(path, "rb") as f:
        header = f.read(64)
        if header[:4] != b"\x7fELF" or header[4] != 2 or header[5] != 1:
            return None
        phoff, = struct.unpack_from("<Q", header, 0x20)
        phentsize, phnum = struct.unpack_from("<HH", header, 0x36)
        for i in range(phnum):
            f.seek(phoff + i * phentsize)
            p_type, _flags, p_offset, _vaddr, _paddr, p_filesz = struct.unpack("<IIQQQQ", f.read(40))
            if p_type == 3:  # PT_INTERP
                f.seek(p_offset)
                return f.read(p_filesz).rstrip(b"\0").decode()
    return None


# Run in a fresh `python -I -S`: import the standard library's C extension
# modules and list the shared libraries then mapped.  Those are what the
# interpreter needs; the caller's own process may have loaded anything (an
# extension built in place, a ctypes library from its project directory).
_LIBRARY_PROBE = """
import importlib, os, sys
names = [f.split('.', 1)[0] for d in sys.path if os.path.isdir(d) and d.endswith('lib-dynload')
         for f in os.listdir(d) if f.endswith('.so')]
for name in sorted(set(names)) + ['ctypes', 'json', 'decimal', 'datetime', 'hashlib', 'zlib', 'math']:
    try:
        importlib.import_module(name)
    except Exception:
        pass
for line in open('/proc/self/maps'):
    fields = line.split(maxsplit=5)
    if len(fields) == 6 and fields[5].startswith('/') and '.so' in os.path.basename(fields[5]):
        print(fields[5].rstrip('\\n'))
"""


def _interpreter_libraries(python: str) -> set[str]:
    """The shared libraries a fresh interpreter at python maps (see above).

    Raises ``OSError`` if it cannot be run.
    """
    try:
        proc = subprocess.run([python, "-I", "-S", "-c", _LIBRARY_PROBE], capture_output=True, text=True,
                              timeout=60, env={"PATH": "/usr/bin:/bin"}, cwd="/")
    except subprocess.SubprocessError as exc:
        raise OSError(f"probing the libraries of {python} failed: {exc}") from exc
    if proc.returncode != 0:
        raise OSError(f"probing the libraries of {python} failed: {proc.stderr.strip()[-300:]}")
    return {line for line in proc.stdout.splitlines() if line.startswith("/")}


def _excluded_roots() -> list[str]:
    """Where third-party code and this package live: never in the sandbox."""
    roots = {os.path.realpath(str(Path(__file__).parent))}
    base = {"base": sys.base_prefix, "platbase": sys.base_exec_prefix}
    for paths in (sysconfig.get_paths(), sysconfig.get_paths(vars=base)):
        for key in ("purelib", "platlib"):
            if paths.get(key):
                roots.add(os.path.realpath(paths[key]))
    roots.update(os.path.realpath(p) for p in site.getsitepackages())
    if os.path.realpath(sys.prefix) != os.path.realpath(sys.base_prefix):
        roots.add(os.path.realpath(sys.prefix))  # a virtual environment
    return sorted(roots)


def _mount_flags(path: str) -> int:
    """Remount flags for a read-only bind of path: read-only, nosuid, nodev,
    and noexec only where the host mount has it (a locked flag must stay)."""
    flags = MS_RDONLY | MS_NOSUID | MS_NODEV
    if os.statvfs(path).f_flag & MS_NOEXEC:
        flags |= MS_NOEXEC
    return flags


@functools.lru_cache(maxsize=None)
def host_plan(python: str) -> HostPlan:
    """What the interpreter at python needs, read off this process.

    Raises ``OSError`` if a path cannot be read.
    """
    links: dict[str, str] = {}
    prefix = _resolve(os.path.realpath(sys.base_prefix), links)
    wanted = {prefix}
    exe = _resolve(python, links)
    if not _under(exe, prefix):
        wanted.add(os.path.dirname(exe))
    interpreter = _elf_interpreter(exe)
    if interpreter:
        wanted.add(os.path.dirname(_resolve(interpreter, links)))
    excluded = _excluded_roots()
    for lib in _interpreter_libraries(exe):
        real = _resolve(lib, links)
        if not any(_under(real, root) for root in excluded):
            wanted.add(os.path.dirname(real))
    # keep the outermost directories only
    binds: list[str] = []
    for path in sorted(wanted, key=lambda p: (p.count("/"), p)):
        if path != "/" and not any(_under(path, b) for b in binds):
            binds.append(path)
    symlinks = sorted((link, target) for link, target in links.items() if not any(_under(link, b) for b in binds))
    masks = sorted(root for root in excluded if os.path.isdir(root) and any(_under(root, b) for b in binds))
    return HostPlan(tuple((b, _mount_flags(b)) for b in binds), tuple(symlinks), tuple(masks))


def _unescape(field: str) -> str:
    """mountinfo escapes space, tab, newline and backslash as \\ooo."""
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field)


def _submounts(binds: tuple[tuple[str, int], ...]) -> list[tuple[str, int]]:
    """Mounts below a bound directory, with their remount flags: a
    recursive bind carries them along, writable as they were, so each is
    remounted read-only too."""
    found = []
    with open("/proc/self/mountinfo", encoding="utf-8", errors="surrogateescape") as info:
        for line in info:
            fields = line.split()
            if len(fields) < 6:
                continue
            point, options = _unescape(fields[4]), fields[5].split(",")
            if any(_under(point, b) and point != b for b, _ in binds):
                flags = MS_RDONLY | MS_NOSUID | MS_NODEV | (MS_NOEXEC if "noexec" in options else 0)
                found.append((point, flags))
    return sorted(found)


def mount_ops(plan: HostPlan, new_root: str, *, scratch_bytes: int, scratch_inodes: int, uid: int | None,
              gid: int | None) -> list[tuple[str, str | None, str, int, str | None]]:
    """The ordered steps (kind, src, dst, flags, data) for _sandbox.run that
    build the root at new_root (an empty host directory) and pivot into it.
    uid/gid own /work (None: whoever builds the root)."""
    root = new_root.rstrip("/")
    scratch = f"size={scratch_bytes},nr_inodes={scratch_inodes}"
    owner = f",uid={uid},gid={gid}" if uid is not None and gid is not None else ""
    ops: list[tuple[str, str | None, str, int, str | None]] = [
        ("tmpfs", None, root, MS_NOSUID | MS_NODEV, ROOT_TMPFS_OPTIONS)
    ]
    links = {link for link, _ in plan.symlinks}
    dirs = {"/dev", "/proc", SANDBOX_TMPDIR, SANDBOX_WORKDIR}
    for path, _ in plan.binds:
        dirs.add(path)
    for path in list(dirs) + sorted(links):
        parent = os.path.dirname(path)
        while parent != "/":
            dirs.add(parent)
            parent = os.path.dirname(parent)
    # The sandbox's own file systems first, so a bind under /tmp (an
    # interpreter installed there) lands inside them instead of under them.
    for d in ("/dev", "/proc", SANDBOX_TMPDIR, SANDBOX_WORKDIR):
        ops.append(("mkdir", None, root + d, 0, None))
    ops += [
        ("proc", None, root + "/proc", 0, None),
    ]
    # what exists of them on this kernel (a bind needs its target)
    for name in PROC_MASKED_FILES:
        if os.path.isfile("/proc/" + name):
            ops.append(("bind", "/dev/null", f"{root}/proc/{name}", MS_RDONLY | MS_NOSUID | MS_NOEXEC, None))
    for name in PROC_MASKED_DIRS:
        if os.path.isdir("/proc/" + name):
            ops.append(("tmpfs", None, f"{root}/proc/{name}", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                        "size=4k,nr_inodes=16,mode=0555"))
    ops += [
        ("tmpfs", None, root + SANDBOX_TMPDIR, MS_NOSUID | MS_NODEV | MS_NOEXEC, f"{scratch},mode=1777"),
        ("mkdir", None, root + SANDBOX_SHMDIR, 0, None),
        ("tmpfs", None, root + SANDBOX_SHMDIR, MS_NOSUID | MS_NODEV | MS_NOEXEC, f"{scratch},mode=1777"),
        ("tmpfs", None, root + SANDBOX_WORKDIR, MS_NOSUID | MS_NODEV | MS_NOEXEC,
         f"{scratch},mode=0700{owner}"),
    ]
    for d in sorted(dirs - links - {"/dev", "/proc", SANDBOX_TMPDIR, SANDBOX_WORKDIR},
                    key=lambda p: (p.count("/"), p)):
        ops.append(("mkdir", None, root + d, 0, None))
    for path, flags in plan.binds:
        ops.append(("bind", path, root + path, flags, None))
    for point, flags in _submounts(plan.binds):
        ops.append(("remount", None, root + point, flags, None))
    for mask in plan.masks:
        ops.append(("tmpfs", None, root + mask, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                    "size=4k,nr_inodes=16,mode=0755"))
    for device in DEVICES:
        ops.append(("touch", None, root + device, 0, None))
        ops.append(("bind", device, root + device, MS_NOSUID | MS_NOEXEC, None))
    for link, target in plan.symlinks:
        ops.append(("symlink", target, root + link, 0, None))
    ops += [
        ("symlink", "/proc/self/fd", root + "/dev/fd", 0, None),
        ("pivot", None, root, 0, None),
        ("remount", None, "/", MS_RDONLY | MS_NOSUID | MS_NODEV, None),
    ]
    return ops
