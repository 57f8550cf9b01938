"""Attack: a run binds abstract unix sockets whose names carry data, and
parks them in an unreachable cycle of in-flight SCM_RIGHTS messages (with a
stream socket in it, which the kernel's unix garbage collector may never
free), so that they outlive the run; the next run of the same sandbox
object reads the names back from /proc/net/unix.
Expected: the next run finds none of them, and can bind the same names (in
warm mode the runs of a fork server share a network namespace: after a run
that leaves a socket in it, the next runs get a new one)."""

import os

from attack import assert_clear_result, token

from autopoietic.sandbox import AutopoieticSandbox

PARK = """
import socket
names = []
for i in range(20):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(b"\\0" + b"%s-%02d" % (TOKEN, i))
    names.append(s)
payload = names
for depth in range(3):  # a cycle holding the sockets, itself in flight in another
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    socket.send_fds(a, [b"x"], [s.fileno() for s in payload])
    socket.send_fds(a, [b"x"], [a.fileno(), b.fileno()])
    socket.send_fds(b, [b"y"], [a.fileno(), b.fileno()])
    for s in payload:
        s.close()
    payload = [a, b]
for s in payload:
    s.close()
print("parked")
"""

LOOK = """
import socket
with open("/proc/net/unix") as f:
    seen = [line for line in f if TOKEN.decode() in line]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
try:
    s.bind(b"\\0" + TOKEN + b"-00")
    bound = "bound"
except OSError as exc:
    bound = "bind failed %d" % exc.errno
print(len(seen), bound)
"""


def test_sockets_parked_by_a_run_are_not_there_for_the_next(tmp_path, execution_mode):
    name = token().encode()
    with AutopoieticSandbox(temp_dir=tmp_path, timeout_s=20) as sb:
        parked = sb.run_source(f"TOKEN = {name!r}\n" + PARK)
        assert_clear_result(parked)
        assert parked["output"] == "parked\n", parked["error"]
        for _ in range(3):  # and the runs after it
            looked = sb.run_source(f"TOKEN = {name!r}\n" + LOOK)
            assert_clear_result(looked)
            assert looked["output"] == "0 bound\n", looked["output"]
        # a normal run keeps the network namespace the server's runs share
        if execution_mode == "warm":
            first = sb.run_source("import os\nprint(os.readlink('/proc/self/ns/net'))")["output"]
            again = sb.run_source("import os\nprint(os.readlink('/proc/self/ns/net'))")["output"]
            assert first == again and first.strip() != os.readlink("/proc/self/ns/net")
