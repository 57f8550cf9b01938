"""The C boundary: autopoietic._sandbox called directly with bad input gets a
Python exception, never a crash; setup failures come back as data."""

from __future__ import annotations

import errno
import os
import resource
import sys

import pytest

from autopoietic import _sandbox

PY = os.path.realpath(sys.executable)


def needs(namespaces):
    """What _sandbox.run requires with these namespaces: it has no defaults
    of its own (the maps of a normal user's sandbox, and a host name)."""
    kw = {}
    if "uts" in namespaces:
        kw["hostname"] = "sandbox"
    if "user" in namespaces:
        kw.update(uid_map=f"65534 {os.geteuid()} 1\n", gid_map=f"65534 {os.getegid()} 1\n")
    return kw


def run(argv=(PY, "-I", "-S", "-c", "print('hi')"), env=(), cwd="/", **kw):
    kw.setdefault("timeout_s", 10)
    kw.setdefault("namespaces", ("user", "pid", "ipc", "uts", "net", "mnt", "cgroup"))
    kw = {**needs(kw["namespaces"]), **kw}
    return _sandbox.run(list(argv), list(env), cwd, **kw)


def test_plain_run():
    r = run()
    assert r["exit_code"] == 0 and r["stdout"] == b"hi\n" and r["setup_error"] is None


@pytest.mark.parametrize(
    "kwargs, exc",
    [
        ({"argv": []}, ValueError),
        ({"argv": "python"}, TypeError),
        ({"argv": [PY, "a\x00b"]}, ValueError),
        ({"argv": [PY, 3]}, TypeError),
        ({"argv": None}, TypeError),
        ({"env": ["A=\x00"]}, ValueError),
        ({"env": "A=1"}, TypeError),
        ({"cwd": None}, TypeError),
        ({"cwd": "/tm\x00p"}, ValueError),
        ({"timeout_s": 0}, ValueError),
        ({"timeout_s": -1}, ValueError),
        ({"timeout_s": float("nan")}, ValueError),
        ({"timeout_s": float("inf")}, ValueError),
        ({"timeout_s": "1"}, TypeError),
        ({"cpu_time_s": -1}, ValueError),
        ({"output_limit": -1}, ValueError),
        ({"output_limit": 1 << 40}, ValueError),
        ({"output_limit": 1 << 80}, OverflowError),
        ({"namespaces": "pid"}, TypeError),
        ({"namespaces": ["pid", "bogus"]}, ValueError),
        ({"namespaces": [1]}, TypeError),
        ({"rlimits": [(resource.RLIMIT_AS, 2, 1)]}, ValueError),
        ({"rlimits": [(999, 1, 1)]}, ValueError),
        ({"rlimits": [(resource.RLIMIT_AS, -5, 1)]}, ValueError),
        ({"rlimits": [(resource.RLIMIT_AS, 1)]}, TypeError),
        ({"rlimits": [(resource.RLIMIT_AS, 1, 1)] * 17}, ValueError),
        ({"rlimits": [(resource.RLIMIT_AS, 1 << 70, 1 << 70)]}, OverflowError),
        ({"nonce": b"x" * 4097}, ValueError),
        ({"nonce": "text"}, TypeError),
        ({"hostname": ""}, ValueError),
        ({"hostname": "h" * 65}, ValueError),
        ({"hostname": "a\x00b"}, ValueError),
        ({"uid": -1, "gid": 0}, ValueError),
        ({"uid": 0, "gid": 1 << 32}, ValueError),
        ({"uid": 1 << 70, "gid": 0}, ValueError),
        ({"uid": 0}, ValueError),
        ({"mounts": [("bind", None, "/x", 0, None)]}, ValueError),
        ({"mounts": [("frobnicate", None, "/x", 0, None)], "namespaces": ["mnt"]}, ValueError),
        ({"mounts": [("mkdir", None, "/x", 0, None)]}, ValueError),
        ({"mounts": [("mkdir", None, "/x")]}, TypeError),
        ({"mounts": [("mkdir", None, "/x\x00", 0, None)], "namespaces": ["mnt"]}, ValueError),
        ({"source_fd": -2}, ValueError),
        ({"stdin_fd": -2}, ValueError),
        ({"verdict_limit": -1}, ValueError),
        ({"verdict_limit": 1 << 40}, ValueError),
        ({"uid": "0", "gid": 0}, TypeError),
        ({"unknown_option": 1}, TypeError),
    ],
)
def test_bad_arguments_raise(kwargs, exc):
    args = {"argv": (PY, "-c", "pass"), "env": (), "cwd": "/"}
    for key in ("argv", "env", "cwd"):
        if key in kwargs:
            args[key] = kwargs.pop(key)
    with pytest.raises(exc):
        _sandbox.run(args["argv"], args["env"], args["cwd"], **{"timeout_s": 10, **kwargs})


def test_stdin_fd_is_fd_0_and_the_verdict_limit_is_what_is_kept():
    data = os.memfd_create("stdin", os.MFD_CLOEXEC)
    try:
        os.write(data, b"from the caller")
        os.lseek(data, 0, os.SEEK_SET)
        r = run(argv=(PY, "-I", "-S", "-c", "import os, sys\nprint(sys.stdin.read())\n"
                      "os.write(4, b'v' * 200000)"), stdin_fd=data, verdict_limit=150000)
    finally:
        os.close(data)
    assert r["stdout"] == b"from the caller\n", r
    assert len(r["verdict"]) == 150000 and r["verdict_truncated"]
    r = run(argv=(PY, "-I", "-S", "-c", "import sys\nprint(repr(sys.stdin.read()))"))
    assert r["stdout"] == b"''\n"  # no stdin_fd: /dev/null


def test_timeout_is_required():
    with pytest.raises(ValueError, match="timeout_s"):
        _sandbox.run([PY, "-c", "pass"], [], "/")


def test_huge_argument_is_handled():
    big = "x" * (100 << 20)  # 100 MB: over the kernel's per-argument limit
    r = run(argv=(PY, "-c", "pass", big))
    assert r["setup_error"] == ("exec", errno.E2BIG, 0)


def test_too_many_arguments():
    with pytest.raises(ValueError):
        run(argv=[PY] + ["a"] * 5000)


def test_missing_cwd_is_a_setup_error():
    r = run(cwd="/nonexistent-autopoietic-dir")
    assert r["setup_error"] == ("chdir", errno.ENOENT, 0)
    assert r["exit_code"] is None and r["signal"] is None


def test_missing_program_is_a_setup_error():
    r = run(argv=("/nonexistent/python",))
    assert r["setup_error"] == ("exec", errno.ENOENT, 0)


def test_rlimit_above_hard_is_a_setup_error_for_unprivileged_child():
    # inside a user namespace the child cannot raise a hard limit of the host
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    r = run(rlimits=[(resource.RLIMIT_NOFILE, hard + 1, hard + 1)])
    assert r["setup_error"] == ("rlimit", errno.EPERM, 0)


def test_bytes_arguments_are_accepted():
    r = run(argv=(PY.encode(), b"-I", b"-c", b"print('bytes')"), cwd=b"/")
    assert r["stdout"] == b"bytes\n"


def test_direct_execution_without_namespaces():
    r = run(namespaces=())
    assert r["exit_code"] == 0 and r["stdout"] == b"hi\n"


def test_stages_and_namespaces_are_exported():
    assert "exec" in _sandbox.STAGES and _sandbox.STAGES[0] == "none"
    assert set(_sandbox.NAMESPACES) == {"user", "pid", "ipc", "uts", "net", "mnt", "cgroup"}


def test_python_names_only_stages_and_bounds_that_c_exports():
    """The ladder's namespace stages are stages C reports, and the limits'
    time and output bounds are C's own (one definition each)."""
    from autopoietic import _ladder, _limits

    assert _ladder.NAMESPACE_STAGES <= set(_sandbox.STAGES)
    for option in ("timeout_s", "max_cpu_time_seconds"):
        with pytest.raises(ValueError, match=option):
            _limits.Limits.checked(**dict(_DEFAULT_LIMITS, **{option: _sandbox.MAX_TIMEOUT_S * 1.5}))
    _limits.Limits.checked(**dict(_DEFAULT_LIMITS, timeout_s=_sandbox.MAX_TIMEOUT_S,
                                  max_output_bytes=_sandbox.MAX_OUTPUT_BYTES))
    with pytest.raises(ValueError, match="max_output_bytes"):
        _limits.Limits.checked(**dict(_DEFAULT_LIMITS, max_output_bytes=_sandbox.MAX_OUTPUT_BYTES + 1))


_DEFAULT_LIMITS = dict(max_memory_mb=100, max_cpu_time_seconds=30, max_file_size_kb=1024, timeout_s=None,
                       max_disk_mb=64, max_output_bytes=1 << 20, max_code_bytes=1 << 20, max_open_files=1024,
                       max_processes=64)


def test_many_runs_leak_no_fds():
    before = len(os.listdir("/proc/self/fd"))
    for _ in range(30):
        run(argv=(PY, "-I", "-S", "-c", "pass"))
        run(cwd="/nonexistent-autopoietic-dir")
    assert len(os.listdir("/proc/self/fd")) == before


POLICY = dict(denied_modules=["os"], allowed_modules=["math"], denied_names=["eval"], denied_attributes=["__class__"])


@pytest.mark.parametrize(
    "args, kwargs, exc",
    [
        ((None,), POLICY, TypeError),
        ((1,), POLICY, TypeError),
        ((bytearray(b"x"),), POLICY, TypeError),
        ((b"x",), {}, TypeError),  # the policy is required
        ((b"x",), dict(POLICY, denied_modules="os"), TypeError),
        ((b"x",), dict(POLICY, denied_names=[1]), TypeError),
        ((b"x",), dict(POLICY, denied_names=["a\x00b"]), ValueError),
        ((b"x",), dict(POLICY, max_source_bytes=-1), ValueError),
        ((b"x",), dict(POLICY, bogus=1), TypeError),
        # markers required (the default) but not named, or named empty
        ((b"x",), POLICY, ValueError),
        ((b"x",), dict(POLICY, signature_prefix="", marker_name="_m"), ValueError),
        ((b"x",), dict(POLICY, signature_prefix="p_", marker_name=""), ValueError),
    ],
)
def test_validate_bad_arguments(args, kwargs, exc):
    with pytest.raises(exc):
        _sandbox.validate(*args, **kwargs)


def test_validate_accepts_str_and_bytes():
    for source in ("import os", b"import os"):
        assert [f[0] for f in _sandbox.validate(source, require_markers=False, **POLICY)] == ["denied-import"]


def test_validate_looks_for_the_markers_it_is_given():
    """The marker strings are the caller's (autopoietic._common), not C's."""
    source = b'class C:\n    _mine = True\n    tag = "pre_x"\n'
    assert _sandbox.validate(source, signature_prefix="pre_", marker_name="_mine", **POLICY) == []
    rules = [f[0] for f in _sandbox.validate(source, signature_prefix="other_", marker_name="_theirs", **POLICY)]
    assert rules == ["missing-security-signature", "missing-sandbox-marker"]


@pytest.mark.slow
def test_validate_huge_input():
    findings = _sandbox.validate(b"x = 1\n" * (20 << 20), max_source_bytes=0, require_markers=False, **POLICY)
    assert findings == []  # 120 MB scanned, nothing to find


MUTATORS = {
    "argv-fspath": """
argv = []
class P:
    def __fspath__(self):
        argv.clear()
        return "/bin/true"
argv += [P()] + ["x"] * 10
_sandbox.run(argv, [], "/", timeout_s=1)
""",
    "env-fspath": """
env = []
class P:
    def __fspath__(self):
        env.clear()
        return "A=1"
env += [P()] + ["B=2"] * 10
_sandbox.run(["/bin/true"], env, "/", timeout_s=1)
""",
    "rlimit-index": """
rl = []
class I:
    def __index__(self):
        rl.clear()
        return 1
rl += [(I(), 1, 1)] + [(1, 1, 1)] * 5
_sandbox.run(["/bin/true"], [], "/", timeout_s=1, rlimits=rl)
""",
}


@pytest.mark.parametrize("name", sorted(MUTATORS))
def test_arguments_mutated_during_conversion_do_not_crash(name):
    """The C layer converts a private copy: a __fspath__/__index__ that
    empties the caller's list cannot make it read freed memory."""
    import subprocess

    proc = subprocess.run([sys.executable, "-c", "from autopoietic import _sandbox\n" + MUTATORS[name]],
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode in (0, 1), (proc.returncode, proc.stderr)  # an exception at most, never a signal


def test_cancel_fd_kills_the_tree_at_once():
    import threading
    import time

    cancel_r, cancel_w = os.pipe2(os.O_CLOEXEC)
    try:
        threading.Timer(0.5, os.close, (cancel_w,)).start()  # hang up, as cleanup() does
        start = time.monotonic()
        r = run(argv=(PY, "-I", "-S", "-c", "import time; time.sleep(60)"), timeout_s=60, cancel_fd=cancel_r)
        assert time.monotonic() - start < 5
        assert r["cancelled"] is True and r["signal"] == 9 and r["timed_out"] is False
        quiet = run(cancel_fd=cancel_r)  # an fd that already hung up: cancelled before it gets far
        assert quiet["cancelled"] is True
    finally:
        os.close(cancel_r)
    assert run()["cancelled"] is False
    with pytest.raises(ValueError, match="cancel_fd"):
        run(cancel_fd=-2)


@pytest.mark.parametrize("namespaces, missing", [
    (("uts",), "hostname"),
    (("user",), "uid_map"),
    (("user", "uts"), "gid_map"),
])
def test_what_a_namespace_needs_must_be_given(namespaces, missing):
    """No policy defaults in C: a namespace without what it needs is a
    ValueError, not a host name or an id map of the extension's choosing."""
    kw = needs(namespaces)
    del kw[missing]
    with pytest.raises(ValueError, match="needs"):
        _sandbox.run([PY, "-c", "pass"], [], "/", timeout_s=10, namespaces=namespaces, **kw)


def test_run_builds_the_result_keys():
    """run() builds exactly RESULT_KEYS, in their order."""
    assert tuple(run(namespaces=())) == _sandbox.RESULT_KEYS


def test_the_stub_declares_the_result_keys():
    import ast
    import pathlib

    import autopoietic

    stub = ast.parse(pathlib.Path(autopoietic.__file__).with_name("_sandbox.pyi").read_text())
    classes = {node.name: node for node in stub.body if isinstance(node, ast.ClassDef)}

    def keys(name):
        node = classes[name]
        own = [item.target.id for item in node.body if isinstance(item, ast.AnnAssign)]
        bases = [b.id for b in node.bases if isinstance(b, ast.Name) and b.id in classes]
        return [k for base in bases for k in keys(base)] + own

    assert sorted(keys("RunResult")) == sorted(_sandbox.RESULT_KEYS)


def test_the_nonce_bound_is_exported():
    assert run(namespaces=(), nonce=b"n" * _sandbox.NONCE_MAX)["exit_code"] == 0
    with pytest.raises(ValueError, match=str(_sandbox.NONCE_MAX)):
        run(namespaces=(), nonce=b"n" * (_sandbox.NONCE_MAX + 1))
