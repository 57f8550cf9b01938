"""autopoietic.aio (docs/api.md, "Async"): awaitable, concurrent,
cancellable runs that never block the event loop; real sandboxes."""

from __future__ import annotations

import asyncio
import os
import statistics
import time

import pytest

from autopoietic.aio import AsyncSandbox
from autopoietic.sandbox import AutopoieticSandbox, SandboxError

from helpers import announce, bound, component, descendants, eventually, processes_named, ready_token


def run(coro):
    return asyncio.run(coro)


@pytest.fixture
def make(tmp_path, execution_mode):
    made: list[AsyncSandbox] = []

    def factory(**options) -> AsyncSandbox:
        sandbox = AsyncSandbox(temp_dir=tmp_path, timeout_s=20, **options)
        made.append(sandbox)
        return sandbox

    yield factory
    for sandbox in made:
        sandbox.sandbox.cleanup()


def test_the_sync_api_mirrored(make):
    async def main():
        async with make() as sb:
            script = await sb.run_source("import sys\nprint(sys.stdin.read() * 2)", stdin="ab")
            assert script["success"] and script["stdout"] == "abab\n", script
            part = await sb.run_component(component(), "sample")
            assert part["success"] and part["security_validated"], part
            whole = await sb.execute_component(component(), "sample")
            assert set(whole) == set(part)
            with pytest.raises(SandboxError, match="refused by the validator"):
                await sb.execute_component("import os\nos.system('id')", "bad")
            with pytest.raises(TypeError):
                await sb.run_source(42)

    run(main())


def test_fifty_concurrent_runs_take_about_the_longest_and_the_loop_keeps_ticking(make, execution_mode):
    async def main():
        async with make(max_concurrency=50) as sb:
            # the pool's threads and (warm mode) their fork servers first
            await asyncio.gather(*(sb.run_source("pass") for _ in range(50)))
            ticks: list[float] = []
            running = True

            async def ticker():
                while running:
                    ticks.append(time.monotonic())
                    await asyncio.sleep(0.01)

            ticking = asyncio.create_task(ticker())
            started = time.monotonic()
            results = await asyncio.gather(*(sb.run_source(f"import time\ntime.sleep({0.5 + i % 2 * 0.5})")
                                             for i in range(50)))
            elapsed = time.monotonic() - started
            running = False
            await ticking
            assert all(r["success"] for r in results), [r["error"] for r in results if not r["success"]]
            # the longest sleeps 1 s; one after another they would take 37.5 s
            assert elapsed < 1.0 + bound(2.5), elapsed
            gaps = [b - a for a, b in zip(ticks, ticks[1:])]
            assert statistics.median(gaps) < bound(0.02), statistics.median(gaps)
            if execution_mode == "warm":
                # spawn mode clones this process for each run: its page
                # tables are copied under its mmap lock, and every thread
                # that faults meanwhile waits (docs/benchmarks.md, "Async")
                assert max(gaps) < bound(0.25), max(gaps)

    run(main())


def test_cancelling_the_task_kills_and_reaps_the_run(make):
    token = ready_token()

    async def main():
        async with make() as sb:
            task = asyncio.create_task(sb.run_source(announce(token) + "import time\ntime.sleep(60)"))
            while not processes_named(token):
                await asyncio.sleep(0.01)
            started = time.monotonic()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert time.monotonic() - started < bound(5)
            assert not processes_named(token)  # reaped before CancelledError
            # warm mode: the cancelled run's fork server is replaced at the next run
            again = await sb.run_source("print('next')")
            assert again["stdout"] == "next\n", again
            # what is left is fork servers (and the sandbox each has prepared)
            def only_servers() -> bool:  # read twice: a server may be preparing its next sandbox meanwhile
                servers = {server.proc.pid for server in sb.sandbox._warm.servers if server.alive()}
                return set(descendants(os.getpid())) <= servers.union(*(descendants(pid) for pid in servers))

            assert eventually(only_servers)

    run(main())


def test_cleanup_cancels_calls_in_flight(make):
    token = ready_token()

    async def main():
        sb = make()
        task = asyncio.create_task(sb.run_source(announce(token) + "import time\ntime.sleep(60)"))
        while not processes_named(token):
            await asyncio.sleep(0.01)
        await sb.aclose()
        result = await task
        assert result["status"] == "cancelled" and not result["success"], result
        assert not processes_named(token)

    run(main())


def test_streaming_callbacks_run_on_the_loop(make):
    async def main():
        loop = asyncio.get_running_loop()
        chunks: list[tuple[float, bytes]] = []
        errors: list[bytes] = []
        threads = set()

        def on_stdout(chunk: bytes) -> None:
            threads.add(asyncio.get_running_loop() is loop)
            chunks.append((time.monotonic() - started, chunk))

        async def on_stderr(chunk: bytes) -> None:
            await asyncio.sleep(0)
            errors.append(chunk)

        async with make() as sb:
            started = time.monotonic()
            result = await sb.run_source("import sys, time\nprint('early', flush=True)\ntime.sleep(1)\n"
                                         "print('late')\nsys.stderr.write('oops')",
                                         on_stdout=on_stdout, on_stderr=on_stderr)
        assert result["success"], result
        assert b"".join(c for _, c in chunks) == b"early\nlate\n" == result["stdout"].encode()
        assert chunks[0] == (chunks[0][0], b"early\n") and chunks[0][0] < 0.9
        assert b"".join(errors) == b"oops"
        assert threads == {True}

    run(main())


def test_a_raising_callback_kills_the_run(make):
    token = ready_token()

    async def main():
        def refuse(chunk: bytes) -> None:
            raise RuntimeError("enough")

        async with make() as sb:
            with pytest.raises(RuntimeError, match="enough"):
                await sb.run_source(announce(token) + "print('x', flush=True)\nimport time\ntime.sleep(60)",
                                    on_stdout=refuse)
            assert eventually(lambda: not processes_named(token))

    run(main())


def test_async_sessions(make):
    token = ready_token()

    async def main():
        async with make() as sb:
            async with sb.session() as s:
                assert (await s.run("x = 20"))["success"]
                got = await s.run("print(x * 2 + 2)")
                assert got["stdout"] == "42\n" and got["cell"] == 2, got
                task = asyncio.create_task(s.run(announce(token) + "import time\ntime.sleep(60)"))
                while not processes_named(token):
                    await asyncio.sleep(0.01)
                task.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await task
                assert not s.alive  # cancelling a cell ends its session
                assert eventually(lambda: not processes_named(token))
                with pytest.raises(SandboxError):
                    await s.run("print(x)")

    run(main())


def test_a_cancelled_session_start_leaves_no_session(tmp_path, execution_mode):
    async def main():
        async with AsyncSandbox(temp_dir=tmp_path, max_sessions=1) as sb:
            for delay in (0, 0.001, 0.01, 0.05):
                task = asyncio.create_task(sb.session().start())
                await asyncio.sleep(delay)
                task.cancel()
                try:
                    started = await task
                except asyncio.CancelledError:
                    pass
                else:
                    await started.aclose()  # it was done first: ours to close
                # the slot (max_sessions=1) is free again once the cancelled one is closed
                for _ in range(200):
                    try:
                        async with sb.session() as s:
                            assert (await s.run("print(1)"))["stdout"] == "1\n"
                        break
                    except SandboxError:
                        await asyncio.sleep(0.05)
                else:
                    raise AssertionError("a cancelled start() left its session open")

    run(main())


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="max_concurrency"):
        AsyncSandbox(max_concurrency=0)
    with pytest.raises(TypeError, match="max_concurrency"):
        AsyncSandbox(max_concurrency=2.5)
    with AutopoieticSandbox(temp_dir=tmp_path) as sync:
        with pytest.raises(TypeError, match="not both"):
            AsyncSandbox(sync, timeout_s=3)

        async def main():
            sb = AsyncSandbox(sync)
            with pytest.raises(TypeError, match="on_stdout"):
                await sb.run_source("pass", on_stdout=3)
            with pytest.raises(SandboxError, match="not started"):
                await sb.session().run("pass")
            await sb.aclose()  # not its sandbox: left open
            assert sync.run_source("print(1)")["stdout"] == "1\n"

        run(main())
