"""The Landlock rung's parts: the option that accepts it, the ruleset plan
Python derives (per ABI, masks carved out), and the C layer that applies it
(real rulesets, the kernel's answers).  The rung as a whole, on hosts that
refuse namespaces, is tests/hostile/test_landlock_rung.py."""

from __future__ import annotations

import errno
import os
import sys

import pytest

from autopoietic import _landlock, _rootfs, _sandbox
from autopoietic._ladder import check_requirement
from autopoietic.sandbox import AutopoieticSandbox

from helpers import require

PYTHON = os.path.realpath(sys.executable)


def _abi() -> int:
    try:
        return _landlock.abi()
    except OSError as exc:
        require(False, f"this kernel has no Landlock: {exc}")
        raise


@pytest.mark.parametrize("value, expected", [(True, True), (False, False), ("landlock", "landlock"), ("1", True),
                                             ("0", False), ("", False), (1, True), (0, False)])
def test_require_isolation_values(value, expected):
    assert check_requirement(value) == expected


@pytest.mark.parametrize("value", ["yes", "full", 2, 0.5, None, ["landlock"]])
def test_require_isolation_refuses_other_values(value):
    with pytest.raises(ValueError, match="require_isolation must be True, False or 'landlock'"):
        check_requirement(value)
    with pytest.raises(ValueError):
        AutopoieticSandbox(require_isolation=value if value is not None else "nonsense")


def test_require_isolation_from_the_environment(monkeypatch):
    monkeypatch.setenv("AUTOPOIETIC_REQUIRE_ISOLATION", "landlock")
    with AutopoieticSandbox() as sb:
        assert sb.require_isolation == "landlock"
    monkeypatch.setenv("AUTOPOIETIC_REQUIRE_ISOLATION", "1")
    with AutopoieticSandbox() as sb:
        assert sb.require_isolation is True


@pytest.mark.parametrize("version, truncate, net, scoped, missing", [
    (1, False, 0, 0, ["truncate", "tcp", "ioctl_dev", "scope_abstract_unix_socket", "scope_signal"]),
    (3, True, 0, 0, ["tcp", "ioctl_dev", "scope_abstract_unix_socket", "scope_signal"]),
    (4, True, 3, 0, ["ioctl_dev", "scope_abstract_unix_socket", "scope_signal"]),
    (6, True, 3, 3, []),
    (7, True, 3, 3, []),
])
def test_the_plan_asks_only_what_the_abi_knows(version, truncate, net, scoped, missing, tmp_path):
    plan = _landlock.plan_for(_rootfs.host_plan(sys.executable), version, (str(tmp_path),))
    handled, handled_net, scope, rules = plan.argument
    assert bool(handled & _landlock.TRUNCATE) == truncate
    assert handled_net == net and scope == scoped
    assert plan.summary["missing"] == missing and plan.summary["tcp_denied"] == bool(net)
    assert ("/proc/self/status", _landlock.READ_FILE) in rules  # the runner's peak RSS; no other /proc path
    # every rule within what the ruleset handles; files get file rights only
    for path, access in rules:
        assert access and access & ~handled == 0, (path, access)
        if os.path.isfile(path):
            assert access & ~_landlock.FILE_RIGHTS == 0, path
    writable = [access for path, access in rules if path == str(tmp_path)]
    assert writable and writable[0] & _landlock.WRITE_FILE and not writable[0] & _landlock.EXECUTE


def test_masked_directories_are_carved_out(tmp_path):
    """Landlock only allows: a bound directory holding a masked one is
    granted entry by entry, the masked one never, a symbolic link never."""
    root = tmp_path / "prefix"
    (root / "lib" / "python3" / "site-packages" / "evil").mkdir(parents=True)
    (root / "lib" / "python3" / "json").mkdir()
    (root / "lib" / "python3" / "os.py").write_text("")
    (root / "bin").mkdir()
    (root / "lib" / "link").symlink_to(root / "lib" / "python3" / "site-packages")
    masked = str(root / "lib" / "python3" / "site-packages")
    rules = dict(_landlock._grants(str(root), (masked,), _landlock.READ_EXECUTE))
    assert rules[str(root / "bin")] == _landlock.READ_EXECUTE
    assert rules[str(root / "lib" / "python3" / "json")] == _landlock.READ_EXECUTE
    assert rules[str(root / "lib" / "python3" / "os.py")] == _landlock.EXECUTE | _landlock.READ_FILE
    # the directories on the way to the mask: listing only
    for path in (root, root / "lib", root / "lib" / "python3"):
        assert rules[str(path)] == _landlock.READ_DIR
    assert not any(p.startswith(masked) for p in rules) and str(root / "lib" / "link") not in rules


def _handled(version: int) -> int:
    return _landlock._FS_BY_ABI[min(version, 5)]


def _run(source: str, **options):
    return _sandbox.run([PYTHON, "-I", "-S", "-c", source], [], "/", timeout_s=30, **options)


def _ruleset(version: int, *extra: tuple[str, int]) -> tuple:
    plan = _landlock.plan_for(_rootfs.host_plan(sys.executable), version, ())
    handled, net, scoped, rules = plan.argument
    return handled, net, scoped, rules + extra


def test_the_c_layer_applies_a_ruleset(tmp_path):
    version = _abi()
    secret = tmp_path / "secret"
    secret.write_text("secret")
    open_dir = tmp_path / "open"
    open_dir.mkdir()
    source = (f"import os\nprint(open({str(open_dir / 'f')!r}, 'w').write('ok'))\n"
              f"try:\n    open({str(secret)!r}).read()\nexcept PermissionError:\n    print('denied')\n")
    raw = _run(source, landlock=_ruleset(version, (str(open_dir), _landlock.READ_WRITE & _handled(version))))
    assert raw["setup_error"] is None and raw["exit_code"] == 0, raw["stderr"]
    assert raw["stdout"].split() == [b"2", b"denied"]
    # the same program without the ruleset reads the file: the rules did it
    assert _run(f"print(open({str(secret)!r}).read())")["stdout"] == b"secret\n"


def test_a_rule_the_kernel_refuses_is_a_setup_error_naming_it(tmp_path):
    version = _abi()
    a_file = tmp_path / "f"
    a_file.write_text("")
    rules = _ruleset(version, (str(a_file), _landlock.READ_DIR))  # a directory right on a file: EINVAL
    raw = _run("pass", landlock=rules)
    assert raw["setup_error"] == ("landlock", errno.EINVAL, len(rules[3]) - 1)


def test_a_rule_whose_path_is_gone_grants_nothing(tmp_path):
    version = _abi()
    raw = _run("print('ran')", landlock=_ruleset(version, (str(tmp_path / "gone"), _landlock.READ_EXECUTE)))
    assert raw["setup_error"] is None and raw["stdout"] == b"ran\n", raw["stderr"]


@pytest.mark.parametrize("bad, error, match", [
    ((1, 2, 3), TypeError, "landlock must be None or a tuple"),
    ((0, 0, 0, ()), ValueError, "handled_fs must name"),
    ((1, 0, 0, [("/usr", 2)]), ValueError, "does not handle"),
    ((1, 0, 0, [("/usr", 0)]), ValueError, "allows nothing"),
    ((1, 0, 0, [("/usr",)]), TypeError, "each landlock rule"),
    ((1, 0, 0, [("/u\0sr", 1)]), ValueError, "null"),
    (("x", 0, 0, ()), TypeError, "handled_fs must be an int"),
    ((-1, 0, 0, ()), OverflowError, "negative"),
])
def test_bad_landlock_plans_are_refused(bad, error, match):
    with pytest.raises(error, match=match):
        _run("pass", landlock=bad)


def test_deny_socket_refuses_every_family_but_keeps_socketpair():
    source = ("import socket\n"
              "for family in (socket.AF_UNIX, socket.AF_INET, socket.AF_INET6, socket.AF_NETLINK):\n"
              "    try:\n        socket.socket(family)\n        print('ALLOWED')\n"
              "    except PermissionError as exc:\n        print(exc.errno)\n"
              "print(len(socket.socketpair()))\n")
    raw = _run(source, deny_socket=True)
    assert raw["stdout"].split() == [b"13"] * 4 + [b"2"], raw["stderr"]
    # without it, AF_UNIX stays (the rungs with their own mount and network namespace)
    assert _run("import socket\nsocket.socket(socket.AF_UNIX)\nprint('ok')")["stdout"] == b"ok\n"


def test_prepare_needs_a_pid_namespace_or_a_ruleset():
    with pytest.raises(ValueError, match="'pid' namespace, or no namespace and a landlock plan"):
        _sandbox.prepare([PYTHON], [], "/", timeout_s=10, namespaces=())


def test_a_namespace_rung_reports_no_ruleset(sandbox):
    result = sandbox.run_source("print(1)")
    assert result["isolation"] == "unshare-namespaces" and result["landlock"] is None


def test_no_process_sets_another_process_s_limits():
    """prlimit64 and ioprio_set on another pid fail on every rung (seccomp):
    without a user namespace a component shares its init's uid."""
    source = ("import os, resource\n"
              "print(resource.prlimit(0, resource.RLIMIT_NOFILE)[0] > 0)\n"
              "resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))\n"
              "try:\n    resource.prlimit(os.getppid(), resource.RLIMIT_NOFILE, (0, 0))\n    print('ALLOWED')\n"
              "except PermissionError:\n    print('refused')\n")
    raw = _run(source)
    assert raw["stdout"].split() == [b"True", b"refused"], raw["stderr"]
    # nor its scheduling: nice value, policy, affinity of another pid, or
    # of every process of its uid; its own stay its to change
    source = ("import os\n"
              "for name, call in [('own', lambda: os.sched_setaffinity(0, {0})),\n"
              "                   ('own_nice', lambda: os.setpriority(os.PRIO_PROCESS, 0, 1)),\n"
              "                   ('affinity', lambda: os.sched_setaffinity(os.getppid(), {0})),\n"
              "                   ('nice', lambda: os.setpriority(os.PRIO_PROCESS, os.getppid(), 1)),\n"
              "                   ('nice_uid', lambda: os.setpriority(os.PRIO_USER, 0, 1)),\n"
              "                   ('policy', lambda: os.sched_setscheduler(os.getppid(), os.SCHED_IDLE,\n"
              "                                                             os.sched_param(0)))]:\n"
              "    try:\n        call()\n        print(name, 'ok')\n"
              "    except PermissionError:\n        print(name, 'refused')\n")
    assert _run(source)["stdout"].decode().split("\n")[:-1] == [
        "own ok", "own_nice ok", "affinity refused", "nice refused", "nice_uid refused", "policy refused"]


def test_deny_file_metadata_refuses_mode_owner_times_and_xattrs(tmp_path):
    target = tmp_path / "f"
    target.write_text("x")
    os.chmod(target, 0o600)
    source = (f"import os\np = {str(target)!r}\nfd = os.open(p, os.O_RDONLY)\n"
              "for name, call in [('chmod', lambda: os.chmod(p, 0o4777)), ('fchmod', lambda: os.fchmod(fd, 0o777)),\n"
              "                   ('chown', lambda: os.chown(p, -1, -1)), ('utime', lambda: os.utime(p, (0, 0))),\n"
              "                   ('futime', lambda: os.utime(fd, (0, 0))),\n"
              "                   ('xattr', lambda: os.setxattr(p, 'user.x', b'1'))]:\n"
              "    try:\n        call()\n        print(name, 'ALLOWED')\n"
              "    except PermissionError:\n        print(name, 'refused')\n")
    raw = _run(source, deny_file_metadata=True)
    assert raw["stdout"].decode().split("\n")[:-1] == [f"{n} refused" for n in
                                                        ("chmod", "fchmod", "chown", "utime", "futime", "xattr")], \
        raw["stderr"]
    assert target.stat().st_mode & 0o7777 == 0o600


def test_work_directories_go_however_deep_and_follow_no_link(tmp_path):
    """What a component leaves in its work directory: a tree deeper than
    PATH_MAX, directories whose mode it took away, and symbolic links to a
    directory outside (which removal must not follow)."""
    from autopoietic._workdirs import remove_tree

    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "keep").write_text("keep")
    os.chmod(victim, 0o755)
    root = tmp_path / "work"
    (root / "a" / "b" / "c").mkdir(parents=True)
    os.chmod(root / "a" / "b", 0o500)
    os.chmod(root / "a", 0)
    (root / "link").symlink_to(victim)
    (root / "x").mkdir()
    (root / "x" / "inner-link").symlink_to(victim)
    deep = os.open(root, os.O_RDONLY)
    try:
        for _ in range(3000):  # 6000 bytes of path: over PATH_MAX
            os.mkdir("d", dir_fd=deep)
            inner = os.open("d", os.O_RDONLY, dir_fd=deep)
            os.close(deep)
            deep = inner
    finally:
        os.close(deep)
    remove_tree(str(root))
    assert not root.exists()
    assert sorted(os.listdir(victim)) == ["keep"] and os.stat(victim).st_mode & 0o777 == 0o755
