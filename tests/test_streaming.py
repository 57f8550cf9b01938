"""on_stdout/on_stderr of run_source and run_component (docs/api.md,
"Inputs and outputs of a run"): chunks as the C wait loop reads them."""

from __future__ import annotations

import time

import pytest

from helpers import announce, component, eventually, processes_named, ready_token


def test_chunks_arrive_while_the_program_runs(sandbox):
    seen: list[tuple[float, bytes]] = []
    errors: list[bytes] = []
    started = time.monotonic()
    result = sandbox.run_source(
        "import sys, time\nfor i in range(3):\n    print(i, flush=True)\n    time.sleep(0.4)\n"
        "sys.stderr.write('done')",
        on_stdout=lambda chunk: seen.append((time.monotonic() - started, chunk)), on_stderr=errors.append)
    assert result["success"], result
    assert b"".join(c for _, c in seen) == b"0\n1\n2\n" == result["stdout"].encode()
    assert b"".join(errors) == b"done"
    # the first line came before the program's end (1.2 s of sleeps)
    assert seen[0][1] == b"0\n" and seen[0][0] < result["execution_time"] - 0.5, seen


def test_streaming_stops_at_the_cap(sandbox):
    seen: list[bytes] = []
    result = sandbox.run_source("print('x' * 50000)", on_stdout=seen.append, max_output_bytes=1000)
    assert b"".join(seen) == b"x" * 1000
    assert result["output_truncated"]


def test_a_component_streams_too(sandbox):
    seen: list[bytes] = []
    result = sandbox.run_component(component("print('from run()')\nreturn 1"), "sample",
                                   on_stdout=seen.append)
    assert result["success"], result
    assert b"".join(seen).startswith(b"from run()\n")


def test_a_raising_callback_kills_the_run_and_is_raised(sandbox):
    token = ready_token()

    def refuse(chunk: bytes) -> None:
        raise KeyError("stop")

    started = time.monotonic()
    with pytest.raises(KeyError, match="stop"):
        sandbox.run_source(announce(token) + "print('x', flush=True)\nimport time\ntime.sleep(60)", on_stdout=refuse)
    assert time.monotonic() - started < 20
    assert eventually(lambda: not processes_named(token))
    assert sandbox.run_source("print('next')")["stdout"] == "next\n"


def test_callbacks_must_be_callable(idle_sandbox):
    with pytest.raises(TypeError, match="on_stdout must be callable"):
        idle_sandbox.run_source("pass", on_stdout="print")
    with pytest.raises(TypeError, match="on_stderr must be callable"):
        idle_sandbox.run_component(component(), "sample", on_stderr=1)
