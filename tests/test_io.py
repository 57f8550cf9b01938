"""A run's inputs and outputs (docs/api.md, "Inputs and outputs of a run"):
stdin, files in, files fetched back, per-call limits, the result's
``stdout``/``stderr``/``status``, /dev/shm for multiprocessing, and the
default wall-clock timeout."""

from __future__ import annotations

import os
import threading

import pytest

from autopoietic._outcome import STATUSES
from autopoietic.sandbox import AutopoieticSandbox, SandboxError
from autopoietic.validator import DEFAULT_POLICY

from helpers import component


# -- stdin ------------------------------------------------------------------------


def test_stdin_str_and_bytes_reach_input(sandbox):
    result = sandbox.run_source("a = input()\nb = input()\nprint(int(a) + int(b))\n", stdin="2\n40\n")
    assert result["success"], result["error"]
    assert result["stdout"] == "42\n"
    result = sandbox.run_source("import sys\nprint(sys.stdin.buffer.read().hex())\n", stdin=b"\x00\xff\n")
    assert result["stdout"] == "00ff0a\n"


def test_no_stdin_is_empty_and_input_raises_eoferror(sandbox):
    result = sandbox.run_source("try:\n    input()\nexcept EOFError:\n    print('eof')\n")
    assert result["stdout"] == "eof\n", result["error"]


def test_large_stdin_with_large_stdout_does_not_deadlock(sandbox):
    """10 MB in, 10 MB out: the program echoes as it reads, and neither side
    waits for the other (stdin is a file, stdout is drained as it comes)."""
    size = 10 << 20
    data = bytes(range(256)) * (size // 256)
    program = ("import sys, hashlib\n"
               "h = hashlib.sha256()\n"
               "while True:\n"
               "    chunk = sys.stdin.buffer.read(65536)\n"
               "    if not chunk:\n"
               "        break\n"
               "    h.update(chunk)\n"
               "    sys.stdout.write(chunk.hex()[:len(chunk)])\n"
               "sys.stderr.write(h.hexdigest())\n")
    result = sandbox.run_source(program, stdin=data, max_output_bytes=size + 1024, max_memory_mb=256)
    assert result["success"], result["error"][-2000:]
    assert len(result["stdout"]) == size
    import hashlib
    assert result["stderr"] == hashlib.sha256(data).hexdigest()


def test_stdin_cannot_be_written_by_the_program(sandbox):
    result = sandbox.run_source(
        "import os\n"
        "try:\n"
        "    os.write(0, b'x')\n"
        "except OSError as e:\n"
        "    print('refused', e.errno)\n"
        "try:\n"
        "    open('/proc/self/fd/0', 'wb').write(b'x')\n"
        "except OSError as e:\n"
        "    print('refused', e.errno)\n", stdin="abc")
    assert result["stdout"].count("refused") == 2, result["error"]


@pytest.mark.parametrize("bad", [123, ["a"], object()])
def test_stdin_of_another_type_is_a_type_error(idle_sandbox, bad):
    with pytest.raises(TypeError, match="stdin must be str or bytes"):
        idle_sandbox.run_source("pass", stdin=bad)


# -- files in and out -------------------------------------------------------------


def test_files_are_written_under_work_and_fetched_back(sandbox):
    program = ("import os, json\n"
               "print(os.getcwd(), sorted(os.listdir('.')))\n"
               "data = json.load(open('in/data.json'))\n"
               "os.makedirs('out/deep', exist_ok=True)\n"
               "open('out/deep/sum.txt', 'w').write(str(sum(data)))\n"
               "open('out/blob.bin', 'wb').write(open('raw.bin', 'rb').read()[::-1])\n")
    result = sandbox.run_source(program, files={"in/data.json": "[1, 2, 3]", "raw.bin": b"\x00\x01\x02"},
                                fetch=["out/deep/sum.txt", "out/blob.bin", "in/data.json"])
    assert result["success"], result["error"]
    assert result["stdout"].startswith("/work ['__main__.py', 'in', 'raw.bin']")
    assert result["files"] == {"out/deep/sum.txt": b"6", "out/blob.bin": b"\x02\x01\x00",
                               "in/data.json": b"[1, 2, 3]"}
    assert result["fetch_errors"] == {}


def test_files_of_one_run_are_gone_in_the_next(sandbox):
    sandbox.run_source("open('left.txt', 'w').write('x')", files={"a.txt": "a"})
    result = sandbox.run_source("import os\nprint(sorted(os.listdir('.')))", fetch=["left.txt", "a.txt"])
    assert result["stdout"] == "['__main__.py']\n", result["error"]
    assert result["fetch_errors"] == {"left.txt": "not found", "a.txt": "not found"}


def test_fetch_reports_missing_and_non_regular_paths(sandbox):
    result = sandbox.run_source("import os\nos.mkdir('d')\nos.mkfifo('fifo')\n",
                                fetch=["nothing", "d", "fifo", "d/inside"])
    assert result["success"], result["error"]
    assert result["files"] == {}
    assert result["fetch_errors"] == {"nothing": "not found", "d": "not a regular file",
                                      "fifo": "not a regular file", "d/inside": "not found"}


def test_fetch_after_a_failure_still_reads_files(sandbox):
    result = sandbox.run_source("open('log.txt', 'w').write('partial')\nraise SystemExit(3)\n", fetch=["log.txt"])
    assert result["status"] == "error" and result["exit_code"] == 3
    assert result["files"] == {"log.txt": b"partial"}


def test_fetch_of_a_run_killed_at_its_timeout_says_so(sandbox):
    result = sandbox.run_source("open('x', 'w').write('x')\nimport time\ntime.sleep(30)\n", fetch=["x"],
                                timeout_s=0.5)
    assert result["status"] == "timeout"
    assert result["files"] == {}
    assert "did not finish" in result["fetch_errors"]["x"]


def test_a_fetched_file_over_the_cap_is_refused_not_truncated(sandbox):
    result = sandbox.run_source("open('big', 'wb').write(b'x' * 5000)\nopen('small', 'wb').write(b'y' * 10)\n",
                                fetch=["big", "small"], max_output_bytes=4096)
    assert result["success"], result["error"]
    assert result["files"] == {"small": b"y" * 10}
    assert result["fetch_errors"]["big"].startswith("larger than the cap (5000 bytes; the cap is 4096")


def test_run_component_takes_files_and_fetch(tmp_path, execution_mode):
    """The default policy refuses open() (docs/validator.md); a caller whose
    components use files allows it."""
    policy = DEFAULT_POLICY.with_changes(denied_names=DEFAULT_POLICY.denied_names - {"open"})
    code = component("open('result.txt', 'w').write(open('n').read())\nreturn 1", name="reader")
    with AutopoieticSandbox(temp_dir=tmp_path, validator_policy=policy) as sb:
        result = sb.run_component(code, "reader", files={"n": "7"}, fetch=["result.txt"])
    assert result["success"], result["error"]
    assert result["security_validated"]
    assert result["files"] == {"result.txt": b"7"}


@pytest.mark.parametrize("path", ["/etc/passwd", "../x", "a/../../x", "a//b", "./a", "a/.", "", "a\0b",
                                  "x" * 300, "a/" * 2100 + "b"])
def test_escaping_or_malformed_paths_are_refused(idle_sandbox, path):
    with pytest.raises(SandboxError, match="files: path"):
        idle_sandbox.run_source("pass", files={path: "x"})
    with pytest.raises(SandboxError, match="fetch: path"):
        idle_sandbox.run_source("pass", fetch=[path])


def test_files_bounds_and_types(idle_sandbox):
    sb = idle_sandbox
    with pytest.raises(SandboxError, match="max_file_size_kb"):
        sb.run_source("pass", files={"a": b"x" * (2 << 20)})
    with pytest.raises(SandboxError, match="max_disk_mb"):
        sb.run_source("pass", files={f"f{i}": b"x" * (1 << 20) for i in range(70)})
    with pytest.raises(SandboxError, match="as a file and as a directory"):
        sb.run_source("pass", files={"a": "x", "a/b": "y"})
    with pytest.raises(SandboxError, match="inodes"):
        sb.run_source("pass", files={f"f{i}": "" for i in range(5000)})
    with pytest.raises(TypeError, match="mapping"):
        sb.run_source("pass", files=[("a", "b")])
    with pytest.raises(TypeError, match="must be bytes or str"):
        sb.run_source("pass", files={"a": 1})
    with pytest.raises(TypeError, match="paths must be str"):
        sb.run_source("pass", files={b"a": "x"})
    with pytest.raises(TypeError, match="iterable of str"):
        sb.run_source("pass", fetch="out.txt")
    with pytest.raises(SandboxError, match="whole pages"):  # tmpfs charges each file a page
        sb.run_source("pass", files={f"s{i}": "x" for i in range(300)}, max_disk_mb=1)
    with pytest.raises(SandboxError, match="the program's own file name"):
        sb.run_source("pass", files={"__main__.py": "print('not me')"})
    with pytest.raises(SandboxError, match="the program's own file name"):
        sb.run_component("pass", "mine", files={"mine.py": ""})
    with pytest.raises(SandboxError, match="stdin is not encodable as UTF-8"):
        sb.run_source("pass", stdin="\ud800")
    with pytest.raises(SandboxError, match="not encodable as UTF-8"):
        sb.run_source("pass", files={"a": "\udcff"})


def test_a_file_over_the_disk_of_this_call_is_refused_and_a_larger_disk_takes_it(sandbox):
    with pytest.raises(SandboxError, match="max_disk_mb"):
        sandbox.run_source("pass", files={f"f{i}": b"x" * (1 << 20) for i in range(3)}, max_disk_mb=2)
    result = sandbox.run_source("import os\nprint(os.path.getsize('f2'))",
                                files={f"f{i}": b"x" * (1 << 20) for i in range(3)}, max_disk_mb=8)
    assert result["stdout"] == f"{1 << 20}\n", result["error"]


# -- per-call limits --------------------------------------------------------------


def test_per_call_timeout_and_limits_apply_to_that_call_only(sandbox):
    result = sandbox.run_source("import time\ntime.sleep(3)\n", timeout_s=0.5)
    assert result["status"] == "timeout" and result["execution_time"] < 2.5
    result = sandbox.run_source("print(len(bytearray(60 << 20)))", max_memory_mb=40)
    assert result["status"] == "memory", result["error"]
    result = sandbox.run_source("import time\ntime.sleep(1)\nprint(len(bytearray(60 << 20)))")
    assert result["success"] and result["stdout"] == f"{60 << 20}\n", result["error"]
    assert sandbox.timeout_s == 20 and sandbox.max_memory_mb == 100


def test_per_call_limits_are_checked(idle_sandbox):
    with pytest.raises(ValueError, match="timeout_s"):
        idle_sandbox.run_source("pass", timeout_s=-1)
    with pytest.raises(TypeError, match="max_memory_mb must be a number"):
        idle_sandbox.run_source("pass", max_memory_mb="lots")
    with pytest.raises(TypeError, match="unknown keyword argument 'max_code_bytes'"):
        idle_sandbox.run_source("pass", max_code_bytes=10)
    with pytest.raises(TypeError, match="unknown keyword argument 'tiemout_s'"):
        idle_sandbox.run_source("pass", tiemout_s=1)


# -- the result ----------------------------------------------------------------------


def test_stdout_stderr_and_status_keys(sandbox):
    result = sandbox.run_source("import sys\nprint('out')\nsys.stderr.write('err')\n")
    assert (result["stdout"], result["stderr"], result["status"]) == ("out\n", "err", "ok")
    assert result["output"] == result["stdout"] and result["error"] == "err"
    # error: the stream and the sandbox's reasons; stderr: the stream alone
    result = sandbox.run_source("import sys\nsys.stderr.write('err\\n')\nimport time\ntime.sleep(5)\n",
                                timeout_s=0.5)
    assert result["status"] == "timeout"
    assert result["stderr"] == "err\n"
    assert result["error"].startswith("err\nautopoietic: timed out after 0.5 s")
    assert set(STATUSES) >= {result["status"]}


@pytest.mark.parametrize("program, options, status", [
    ("while True: pass", {"max_cpu_time_seconds": 1, "timeout_s": None}, "cpu_time"),
    ("import time; time.sleep(10)", {"timeout_s": 0.5}, "timeout"),
    ("b = bytearray(200 << 20)", {"max_memory_mb": 64}, "memory"),
    ("print('x' * 5000)", {"max_output_bytes": 100}, "output_limit"),
    ("import os\nos.write(os.open('f', os.O_WRONLY | os.O_CREAT), b'x' * 4096)\n"
     "os.write(os.open('f', os.O_WRONLY | os.O_APPEND), b'x')", {"max_file_size_kb": 1}, "file_size"),
    ("raise ValueError('no')", {}, "error"),
])
def test_status_names_how_the_run_ended(tmp_path, execution_mode, program, options, status):
    with AutopoieticSandbox(temp_dir=tmp_path, **options) as sb:
        result = sb.run_source(program)
    assert result["status"] == status, result["error"]
    assert not result["success"]


def test_a_cpu_bound_loop_under_the_default_timeout_is_reported_as_cpu_time(tmp_path, execution_mode):
    """The issue's example: max_cpu_time_seconds alone, a busy loop: the CPU
    limit ends it, not the wall clock (which is 2 x CPU + 1 s)."""
    with AutopoieticSandbox(temp_dir=tmp_path, max_cpu_time_seconds=1) as sb:
        assert sb.timeout_s == 3
        result = sb.run_source("while True: pass")
    assert result["limit_exceeded"] == "cpu_time", result["error"]
    assert result["isolation"] == "unshare-namespaces"
    assert result["status"] == "cpu_time"


def test_a_timeout_that_follows_the_cpu_limit_follows_a_call_s_own(sandbox, tmp_path):
    with AutopoieticSandbox(temp_dir=tmp_path, max_cpu_time_seconds=10) as sb:
        result = sb.run_source("import time\ntime.sleep(5)", max_cpu_time_seconds=1)
        assert result["status"] == "timeout" and result["execution_time"] < 4.5


def test_cancelled_status(tmp_path, execution_mode):
    sb = AutopoieticSandbox(temp_dir=tmp_path, timeout_s=30)
    timer = threading.Timer(1.0, sb.cleanup)
    timer.start()
    try:
        result = sb.run_source("import time\ntime.sleep(20)")
    finally:
        timer.join()
    assert result["status"] == "cancelled"


# -- multiprocessing and /dev/shm ------------------------------------------------------


def test_multiprocessing_pool_queue_and_lock_work(sandbox):
    program = ("import multiprocessing as mp\n"
               "def square(x):\n"
               "    return x * x\n"
               "if __name__ == '__main__':\n"
               "    with mp.Pool(2) as pool:\n"
               "        print(sum(pool.map(square, range(100))))\n"
               "    q = mp.Queue()\n"
               "    lock = mp.Lock()\n"
               "    def put(q, lock):\n"
               "        with lock:\n"
               "            q.put('from child')\n"
               "    p = mp.Process(target=put, args=(q, lock))\n"
               "    p.start()\n"
               "    print(q.get(timeout=10))\n"
               "    p.join()\n"
               "    v = mp.Value('i', 0)\n"
               "    print(v.value + 1)\n")
    result = sandbox.run_source(program)
    assert result["success"], result["error"]
    assert result["stdout"] == "328350\nfrom child\n1\n"


def test_dev_shm_is_bounded_private_and_gone_after_the_run(sandbox):
    result = sandbox.run_source(
        "import os\n"
        "st = os.statvfs('/dev/shm')\n"
        "print(st.f_blocks * st.f_frsize, sorted(os.listdir('/dev/shm')))\n"
        "open('/dev/shm/mine', 'w').write('x')\n"
        "try:\n"
        "    open('/dev/shm/fill', 'wb').write(b'x' * (9 << 20))\n"
        "except OSError as e:\n"
        "    print('full', e.errno)\n", max_disk_mb=8, max_file_size_kb=16 << 10)
    assert result["success"], result["error"]
    size, listing = result["stdout"].splitlines()[0].split(" ", 1)
    assert int(size) == 8 << 20 and listing == "[]"
    assert "full 28" in result["stdout"]
    again = sandbox.run_source("import os\nprint(os.listdir('/dev/shm'))")
    assert again["stdout"] == "[]\n"
    assert not os.path.exists("/dev/shm/mine")


def test_sysv_ipc_and_message_queues_stay_denied(sandbox):
    result = sandbox.run_source(
        "import ctypes, os\n"
        "libc = ctypes.CDLL(None, use_errno=True)\n"
        "print(libc.shmget(0, 4096, 0o1600), ctypes.get_errno() != 0)\n"
        "print(libc.msgget(0, 0o1600), ctypes.get_errno() != 0)\n"
        "import posix\n"
        "mq = libc.mq_open(b'/q', os.O_CREAT | os.O_RDWR, 0o600, None)\n"
        "print(mq, ctypes.get_errno() != 0)\n")
    assert result["success"], result["error"]
    assert result["stdout"].split() == ["-1", "True"] * 3


def test_fetch_records_over_a_cap_or_the_total_are_refused_on_the_host():
    """The records come from the sandbox: a file over its cap, files over
    the total (the sandbox's /work), or a short or garbled record make that
    path, and what follows, unreadable; no exception."""
    from autopoietic._files import parse_fetched

    def record(status: bytes, data: bytes) -> bytes:
        return status + b"%010d" % len(data) + data

    ok = record(b"f", b"abc") + record(b"m", b"")
    assert parse_fetched(ok, ["a", "b"], 10, 100) == ({"a": b"abc"}, {"b": "not found"})
    files, errors = parse_fetched(record(b"f", b"x" * 11), ["a"], 10, 100)
    assert files == {} and "malformed" in errors["a"]
    files, errors = parse_fetched(record(b"f", b"x" * 8) + record(b"f", b"y" * 8), ["a", "b"], 10, 12)
    assert files == {"a": b"x" * 8} and "malformed" in errors["b"]
    for garbage in (b"", b"f12", b"q0000000000", b"f00000000zz", record(b"f", b"abc")[:-1]):
        files, errors = parse_fetched(garbage, ["a"], 10, 100)
        assert files == {} and set(errors) == {"a"}
    files, errors = parse_fetched(b"o0000000000", ["a"], 10, 100)
    assert errors == {"a": "over what was left of the total the fetched files may take (max_disk_mb)"}
