"""The sandbox's minimal root file system, derived from the target interpreter.

Nothing here is a distribution path, and nothing is read off the caller's
own ``sys``: the interpreter that runs components (the caller's, or the
``python=`` of ``AutopoieticSandbox``, a virtual environment's included)
is run once with a probe (``interpreter()``) that reports its real
executable, prefixes, version, site-packages directories and the shared
libraries a fresh ``python -I -S`` maps once it has imported the standard
library's C extension modules.  Its ``sys.base_prefix`` (the standard
library), the real interpreter binary, its ELF interpreter (the dynamic
loader named in PT_INTERP) and the directories of those libraries are
bound read-only at their host paths, so RUNPATHs and the loader's default
search path work unchanged.  Every symlink met on the way to those paths
(``/lib64 -> usr/lib64`` ...) is recreated.  Every site- and dist-packages
directory of the interpreter and of its base, and this package, are
masked: components see the standard library only.

With ``site_packages=True`` the site-packages directories the
interpreter's own ``site`` module would use (a virtual environment's, or
the system's dist-packages) are bound read-only instead, and the symlink
chains of the loader's cache (``ldconfig -p``) that leave the bound
directories are recreated (Debian reaches ``libblas.so.3`` through
``/etc/alternatives``): those links alone, never ``/etc`` itself.

Around that: ``/dev/null``, ``/dev/zero``, ``/dev/urandom`` (bind mounts),
a ``/proc`` of the sandbox's pid namespace, size- and inode-limited tmpfs at
``/tmp``, ``/work`` and ``/dev/shm`` (``noexec``), then ``pivot_root`` and a
read-only remount of the root.  ``/etc`` (but for those loader links),
``/home``, ``/root``, ``/sys`` and the caller's directories do not exist
inside.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path

__all__ = ["HostPlan", "Interpreter", "host_plan", "interpreter", "mount_ops", "SANDBOX_WORKDIR", "SANDBOX_TMPDIR"]

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
    keep), symlinks to recreate (link path -> target text), directories to
    mask, and the site-packages directories bound for ``sys.path``."""

    binds: tuple[tuple[str, int], ...]
    symlinks: tuple[tuple[str, str], ...]
    masks: tuple[str, ...] = ()  # excluded directories inside a bind: covered by an empty tmpfs
    #: the bound site-packages directories, for the sandbox's sys.path
    sys_path: tuple[str, ...] = ()


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


# Run in a fresh `python -I -S` of the target interpreter: import the
# standard library's C extension modules and list the shared libraries then
# mapped (those are what the interpreter needs; the caller's own process may
# have loaded anything: an extension built in place, a ctypes library from
# its project directory), then say, as one JSON line, what the interpreter
# is.  `site` is imported, not run (-S): no .pth file of any site-packages
# directory is executed.  A virtual environment is recognised as site.venv()
# does (pyvenv.cfg next to the executable or one level up); with -S
# sys.prefix is the base's, and Debian's getsitepackages() names a venv's
# lib/pythonX.Y/site-packages only once site has run, so the install
# schemes are asked too.
_PROBE = """
import importlib, json, os, site, sys, sysconfig
names = [f.split('.', 1)[0] for d in sys.path if os.path.isdir(d) and d.endswith('lib-dynload')
         for f in os.listdir(d) if f.endswith('.so')]
for name in sorted(set(names)) + ['ctypes', 'json', 'decimal', 'datetime', 'hashlib', 'zlib', 'math']:
    try:
        importlib.import_module(name)
    except Exception:
        pass
libraries = []
for line in open('/proc/self/maps'):
    fields = line.split(maxsplit=5)
    if len(fields) == 6 and fields[5].startswith('/') and '.so' in os.path.basename(fields[5]):
        libraries.append(fields[5].rstrip('\\n'))
exe_dir = os.path.dirname(os.path.abspath(sys.executable))
prefix, system_site = sys.prefix, True
for conf in (os.path.join(exe_dir, 'pyvenv.cfg'), os.path.join(os.path.dirname(exe_dir), 'pyvenv.cfg')):
    if os.path.isfile(conf):
        prefix, system_site = os.path.dirname(exe_dir), False
        with open(conf, encoding='utf-8') as f:
            for line in f:
                key, sep, value = line.partition('=')
                if sep and key.strip().lower() == 'include-system-site-packages':
                    system_site = value.strip().lower() == 'true'
        break
def site_dirs(p):
    found = list(site.getsitepackages([p]))
    default = getattr(sysconfig, 'get_default_scheme', lambda: 'posix_prefix')()
    for scheme in ('venv', 'posix_prefix', default):
        if scheme in sysconfig.get_scheme_names():
            paths = sysconfig.get_paths(scheme, vars={'base': p, 'platbase': p})
            found += [paths['purelib'], paths['platlib']]
    return list(dict.fromkeys(found))
own = site_dirs(prefix)
base = site_dirs(sys.base_prefix)
print(json.dumps({
    'executable': os.path.realpath(sys.executable), 'version': list(sys.version_info[:3]),
    'prefix': prefix, 'base_prefix': sys.base_prefix, 'base_exec_prefix': sys.base_exec_prefix,
    'site_dirs': own + (base if system_site and prefix != sys.base_prefix else []),
    'all_site_dirs': own + base, 'libraries': libraries}))
"""
#: Seconds the probe of an interpreter may take.
PROBE_TIMEOUT_S = 60


@dataclass(frozen=True)
class Interpreter:
    """What an interpreter says of itself (``interpreter()``): its real
    executable, ``version`` (major, minor, micro), ``prefix`` (a virtual
    environment's directory, else ``base_prefix``), ``base_prefix`` and
    ``base_exec_prefix``, ``site_dirs`` (the site-packages directories its
    ``site`` module would put on ``sys.path``, in that order),
    ``all_site_dirs`` (those of its prefix and of its base, whether used
    or not) and ``libraries`` (the shared libraries a fresh ``-I -S``
    maps).  Paths as the interpreter spells them, not resolved."""

    executable: str
    version: tuple[int, int, int]
    prefix: str
    base_prefix: str
    base_exec_prefix: str
    site_dirs: tuple[str, ...]
    all_site_dirs: tuple[str, ...]
    libraries: frozenset[str]


@functools.lru_cache(maxsize=None)
def interpreter(python: str) -> Interpreter:
    """interpreter(python: str) -> Interpreter

    Run the interpreter at python (a path; a venv's ``bin/python`` is kept
    as given, so its pyvenv.cfg counts) once with the probe above, with a
    bare environment in ``/``; cached per path.  Raises ``OSError`` when it
    cannot be run, fails, or answers with anything but the probe's JSON
    (it is no Python interpreter).
    """
    try:
        proc = subprocess.run([python, "-I", "-S", "-c", _PROBE], capture_output=True, text=True,
                              timeout=PROBE_TIMEOUT_S, env={"PATH": "/usr/bin:/bin"}, cwd="/")
    except (subprocess.SubprocessError, OSError) as exc:
        raise OSError(f"probing the interpreter {python} failed: {exc}") from exc
    if proc.returncode != 0:
        detail = proc.stderr.strip()[-300:] or f"exit status {proc.returncode}"
        raise OSError(f"probing the interpreter {python} failed: {detail}")
    lines = proc.stdout.strip().splitlines()
    try:
        facts = json.loads(lines[-1])
        return Interpreter(
            executable=str(facts["executable"]), version=tuple(facts["version"]),
            prefix=str(facts["prefix"]), base_prefix=str(facts["base_prefix"]),
            base_exec_prefix=str(facts["base_exec_prefix"]), site_dirs=tuple(facts["site_dirs"]),
            all_site_dirs=tuple(facts["all_site_dirs"]), libraries=frozenset(facts["libraries"]))
    except (IndexError, ValueError, KeyError, TypeError) as exc:
        raise OSError(f"{python} is not a Python interpreter this package can probe: its answer was "
                      f"{proc.stdout.strip()[-200:]!r}") from exc


def _loader_links(binds: list[str]) -> dict[str, str]:
    """The symlinks outside binds that the loader's cache entries resolve
    through, when they end at a file under binds (Debian's
    ``libblas.so.3 -> /etc/alternatives/... -> .../blas/libblas.so.3``).
    Empty where ``ldconfig`` is missing."""
    ldconfig = shutil.which("ldconfig", path="/usr/sbin:/sbin:/usr/bin:/bin")
    if ldconfig is None:
        return {}
    try:
        listing = subprocess.run([ldconfig, "-p"], capture_output=True, text=True, timeout=PROBE_TIMEOUT_S,
                                 env={"PATH": "/usr/bin:/bin"}, cwd="/").stdout
    except (subprocess.SubprocessError, OSError):
        return {}
    found: dict[str, str] = {}
    for line in listing.splitlines():
        path = line.rpartition(" => ")[2].strip()
        if not path.startswith("/"):
            continue
        met: dict[str, str] = {}
        try:
            real = _resolve(path, met)
        except OSError:
            continue
        outside = {link: target for link, target in met.items() if not any(_under(link, b) for b in binds)}
        if outside and any(_under(real, b) for b in binds) and os.path.exists(real):
            found.update(outside)
    return found


def _mount_flags(path: str) -> int:
    """Remount flags for a read-only bind of path: read-only, nosuid, nodev,
    and noexec only where the host mount has it (a locked flag must stay)."""
    flags = MS_RDONLY | MS_NOSUID | MS_NODEV
    if os.statvfs(path).f_flag & MS_NOEXEC:
        flags |= MS_NOEXEC
    return flags


@functools.lru_cache(maxsize=None)
def host_plan(python: str, site_packages: bool = False) -> HostPlan:
    """host_plan(python: str, site_packages: bool = False) -> HostPlan

    What the interpreter at python needs (``interpreter(python)``), and
    with site_packages its site-packages directories too (``sys_path``:
    their real paths, in the order its ``site`` would use).  Raises
    ``OSError`` if a path cannot be read or the interpreter not probed.
    """
    info = interpreter(python)
    links: dict[str, str] = {}
    prefix = _resolve(os.path.realpath(info.base_prefix), links)
    wanted = {prefix}
    exe = _resolve(info.executable, links)
    if not _under(exe, prefix):
        wanted.add(os.path.dirname(exe))
    elf_interpreter = _elf_interpreter(exe)
    if elf_interpreter:
        wanted.add(os.path.dirname(_resolve(elf_interpreter, links)))
    # where third-party code and this package live: never in the sandbox
    # but for the site-packages directories asked for
    visible: list[str] = []
    if site_packages:
        for path in info.site_dirs:
            if os.path.isdir(path):
                real = _resolve(path, links)
                if real not in visible:
                    visible.append(real)
    excluded = {os.path.realpath(str(Path(__file__).parent))}
    excluded.update(os.path.realpath(p) for p in info.all_site_dirs)
    if not site_packages and os.path.realpath(info.prefix) != os.path.realpath(info.base_prefix):
        excluded.add(os.path.realpath(info.prefix))  # a virtual environment
    excluded.difference_update(visible)
    for lib in info.libraries:
        real = _resolve(lib, links)
        if not any(_under(real, root) for root in excluded):
            wanted.add(os.path.dirname(real))
    wanted.update(visible)
    # keep the outermost directories only
    binds: list[str] = []
    for path in sorted(wanted, key=lambda p: (p.count("/"), p)):
        if path != "/" and not any(_under(path, b) for b in binds):
            binds.append(path)
    if site_packages:
        links.update(_loader_links(binds))
    symlinks = sorted((link, target) for link, target in links.items() if not any(_under(link, b) for b in binds))
    masks = sorted(root for root in excluded if os.path.isdir(root) and any(_under(root, b) for b in binds)
                   and not any(_under(v, root) for v in visible))
    return HostPlan(tuple((b, _mount_flags(b)) for b in binds), tuple(symlinks), tuple(masks), tuple(visible))


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
