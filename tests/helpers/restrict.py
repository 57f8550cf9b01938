"""Put this process under a host's restriction for real, then exec a command.

    python restrict.py docker [--no-landlock] [--uid N] -- COMMAND...
    python restrict.py userns [--no-landlock] -- COMMAND...
    python restrict.py none --no-landlock -- COMMAND...

``docker``: a seccomp filter like Docker's, containerd's and Kubernetes'
RuntimeDefault profiles for a process without CAP_SYS_ADMIN: ``unshare``
and ``setns`` fail with EPERM, ``clone`` with any CLONE_NEW* flag fails
with EPERM, ``clone3`` with ENOSYS (so the C library falls back to clone,
whose flags the filter can read).  ``--uid N`` (root only) then becomes
uid and gid N, as a container's non-root user.

``userns``: what AppArmor's kernel.apparmor_restrict_unprivileged_userns=1
does to an unprivileged caller: the command runs in a user namespace whose
``user.max_user_namespaces`` is 0, as a uid that holds no capability
(the caller's own uid mapped to itself; root's is mapped as 65534 ->
65534, and it becomes that), so no namespace of any kind can be made.

``--no-landlock``: a filter fails ``landlock_create_ruleset``,
``landlock_add_rule`` and ``landlock_restrict_self`` with ENOSYS, as a
kernel without Landlock does (``none``: that filter alone).

Nothing is mocked: the kernel refuses each call.  Linux x86_64 and aarch64.
"""

from __future__ import annotations

import ctypes
import os
import platform
import struct
import sys

PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_ERRNO = 0x00050000
EPERM, ENOSYS = 1, 38
NS_FLAGS = 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000 | 0x00020000 | 0x00000080
CLONE_NEWUSER = 0x10000000

# BPF opcodes
LD_W_ABS = 0x20
JEQ_K = 0x15
JSET_K = 0x45
RET_K = 0x06

ARCHES = {
    "x86_64": (0xC000003E, {"unshare": 272, "clone": 56, "clone3": 435, "setns": 308}),
    "aarch64": (0xC00000B7, {"unshare": 97, "clone": 220, "clone3": 435, "setns": 268}),
}
LANDLOCK_SYSCALLS = (444, 445, 446)


def _insn(code: int, jt: int, jf: int, k: int) -> bytes:
    return struct.pack("HBBI", code, jt, jf, k)


def seccomp_filter(docker: bool, no_landlock: bool) -> bytes:
    """The BPF program (struct sock_filter[]) of the restriction: Docker's
    namespace rules, Landlock's absence, or both."""
    arch, nr = ARCHES[platform.machine()]
    prog = [_insn(LD_W_ABS, 0, 0, 4), _insn(JEQ_K, 1, 0, arch), _insn(RET_K, 0, 0, SECCOMP_RET_ALLOW),
            _insn(LD_W_ABS, 0, 0, 0)]

    def deny(number: int, errno: int) -> None:
        prog.extend([_insn(JEQ_K, 0, 1, number), _insn(RET_K, 0, 0, SECCOMP_RET_ERRNO | errno)])

    if no_landlock:
        for number in LANDLOCK_SYSCALLS:
            deny(number, ENOSYS)
    if docker:
        deny(nr["unshare"], EPERM)
        deny(nr["setns"], EPERM)
        deny(nr["clone3"], ENOSYS)
        # clone: flags are the first argument on both architectures
        prog.extend([_insn(JEQ_K, 0, 4, nr["clone"]), _insn(LD_W_ABS, 0, 0, 16), _insn(JSET_K, 0, 1, NS_FLAGS),
                     _insn(RET_K, 0, 0, SECCOMP_RET_ERRNO | EPERM), _insn(RET_K, 0, 0, SECCOMP_RET_ALLOW)])
    prog.append(_insn(RET_K, 0, 0, SECCOMP_RET_ALLOW))
    return b"".join(prog)


def install(docker: bool, no_landlock: bool) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    program = seccomp_filter(docker, no_landlock)
    buffer = ctypes.create_string_buffer(program)

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    fprog = SockFprog(len(program) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 or \
            libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "installing the seccomp filter failed")


def _become(uid: int) -> None:
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)


def enter_userns() -> None:
    """Into a user namespace where no namespace can be made, as a uid
    without capabilities (see the module's docstring)."""
    libc = ctypes.CDLL(None, use_errno=True)
    uid, gid = os.geteuid(), os.getegid()
    r, w = os.pipe()
    child = os.fork()
    if child == 0:  # writes the parent's maps from outside, then exits
        os.close(w)
        os.read(r, 1)
        pid = os.getppid()
        if uid == 0:
            maps = ("0 0 1\n65534 65534 1\n", "0 0 1\n65534 65534 1\n")
        else:
            with open(f"/proc/{pid}/setgroups", "w") as f:
                f.write("deny")
            maps = (f"{uid} {uid} 1\n", f"{gid} {gid} 1\n")
        with open(f"/proc/{pid}/uid_map", "w") as f:
            f.write(maps[0])
        with open(f"/proc/{pid}/gid_map", "w") as f:
            f.write(maps[1])
        os._exit(0)
    os.close(r)
    if libc.unshare(CLONE_NEWUSER) != 0:
        raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWUSER) failed")
    os.write(w, b"x")
    _, status = os.waitpid(child, 0)
    if status != 0:
        raise OSError("writing the user namespace's maps failed")
    # the namespace's own limit, which only its capability holder may set
    with open("/proc/sys/user/max_user_namespaces", "w") as f:
        f.write("0")
    if uid == 0:
        _become(65534)  # no capability left: setresuid from 0 clears them
    # a non-root uid loses every capability at exec


def main(argv: list[str]) -> None:
    sep = argv.index("--")
    options, command = argv[:sep], argv[sep + 1:]
    kind, no_landlock = options[0], "--no-landlock" in options
    if kind not in ("docker", "userns", "none"):
        raise SystemExit(f"unknown restriction {kind!r}")
    if kind == "userns":
        enter_userns()
    if kind == "docker" or no_landlock:
        install(kind == "docker", no_landlock)
    if "--uid" in options:
        _become(int(options[options.index("--uid") + 1]))
    os.execvp(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1:])
