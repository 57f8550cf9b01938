"""The asyncio API: ``AsyncSandbox`` mirrors ``AutopoieticSandbox``.

>>> from autopoietic.aio import AsyncSandbox
>>> async def main():                                          # doctest: +SKIP
...     async with AsyncSandbox() as sandbox:
...         result = await sandbox.run_source("print(6 * 7)")

Each call runs on a bounded pool of threads (``max_concurrency``), where
the sandbox's C layer waits on the run's fds with the GIL released: the
event loop is never blocked, and in warm mode each pool thread keeps its
own fork server.  (Waiting on the fds from the loop itself would need the
C wait loop split into steps the loop drives; docs/benchmarks.md has the
measurements of this pool.)  Cancelling the awaiting task kills the run's
process tree through its own cancel fd, waits until it is reaped, and then
raises ``CancelledError``.

``on_stdout``/``on_stderr`` are called on the event loop with each chunk
(bytes); a coroutine function is started as a task per chunk.  If one
raises, the run is killed and its call raises that exception.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable, Iterable, Mapping, Optional, TypeVar

from ._common import CellResult, ExecutionResult, SandboxError
from ._launch import Cancel, _check_callback
from ._session import DEFAULT_IDLE_TIMEOUT_S, DEFAULT_LIFETIME_S, Session
from .sandbox import AutopoieticSandbox

__all__ = ["AsyncSandbox", "AsyncSession", "DEFAULT_MAX_CONCURRENCY"]

#: Calls in flight at once (pool threads) by default.
DEFAULT_MAX_CONCURRENCY = 64
_T = TypeVar("_T")
#: An output callback of the async API: a function or a coroutine function
#: taking a chunk (bytes).
AsyncOutputCallback = Optional[Callable[[bytes], Any]]


class _Relay:
    """on_stdout/on_stderr of the async API: the pool thread hands each chunk
    to the event loop; the first exception of a callback cancels the run."""

    def __init__(self, loop: asyncio.AbstractEventLoop, cancel: Cancel | Callable[[], None],
                 callbacks: tuple[AsyncOutputCallback, AsyncOutputCallback]) -> None:
        self.loop = loop
        self.cancel = cancel.cancel if isinstance(cancel, Cancel) else cancel
        self.callbacks = callbacks
        self.error: BaseException | None = None
        self.tasks: set[asyncio.Task[Any]] = set()

    def thread_side(self, index: int) -> Optional[Callable[[bytes], object]]:
        if self.callbacks[index] is None:
            return None
        return lambda chunk: self.loop.call_soon_threadsafe(self._deliver, index, chunk)

    def _deliver(self, index: int, chunk: bytes) -> None:
        if self.error is not None:
            return
        callback = self.callbacks[index]
        assert callback is not None
        try:
            returned = callback(chunk)
            if inspect.isawaitable(returned):
                task = asyncio.ensure_future(returned)
                self.tasks.add(task)
                task.add_done_callback(self._task_done)
        except BaseException as exc:
            self._failed(exc)

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            self._failed(task.exception())  # type: ignore[arg-type]

    def _failed(self, exc: BaseException) -> None:
        if self.error is None:
            self.error = exc
            self.cancel()

    async def finish(self) -> None:
        """Let the chunks queued on the loop be delivered, their tasks end;
        raise a callback's exception."""
        await asyncio.sleep(0)
        if self.tasks:
            await asyncio.gather(*self.tasks, return_exceptions=True)
        if self.error is not None:
            raise self.error


def _check_callbacks(on_stdout: object, on_stderr: object) -> tuple[AsyncOutputCallback, AsyncOutputCallback]:
    """(on_stdout, on_stderr), checked as the sync API checks them (TypeError)."""
    _check_callback("on_stdout", on_stdout)
    _check_callback("on_stderr", on_stderr)
    return on_stdout, on_stderr  # type: ignore[return-value]


async def _await_thread(future: Future[_T], on_cancel: Callable[[], None]) -> _T:
    """The result of future (a pool thread's call); if the awaiting task is
    cancelled: on_cancel(), wait for the call to end (the run reaped), then
    CancelledError."""
    wrapped = asyncio.wrap_future(future)
    try:
        return await asyncio.shield(wrapped)
    except asyncio.CancelledError:
        on_cancel()
        try:
            await asyncio.shield(wrapped)
        except BaseException:
            pass
        raise


class AsyncSandbox:
    """``AsyncSandbox(sandbox=None, *, max_concurrency=64, **options)``

    The awaitable mirror of an ``AutopoieticSandbox`` (``sandbox``, or one
    made from ``options``, the constructor's keyword arguments, and owned:
    ``aclose()`` cleans it up).  ``run_source``, ``run_component``,
    ``execute_component`` and ``session`` take what the sync methods take
    and return the same dicts.  ``max_concurrency``: calls (and session
    cells) running at once; more wait for a pool thread.

    Raises what ``AutopoieticSandbox`` raises, and ``TypeError``/``ValueError``
    for a ``max_concurrency`` that is not an int >= 1.
    """

    def __init__(self, sandbox: AutopoieticSandbox | None = None, *,
                 max_concurrency: int = DEFAULT_MAX_CONCURRENCY, **options: Any) -> None:
        if isinstance(max_concurrency, bool) or not isinstance(max_concurrency, int):
            raise TypeError(f"max_concurrency must be an int, not {type(max_concurrency).__name__}")
        if max_concurrency < 1:
            raise ValueError(f"max_concurrency must be >= 1, got {max_concurrency}")
        if sandbox is not None and options:
            raise TypeError("give a sandbox or its options, not both")
        self._owned = sandbox is None
        #: the sync sandbox every call runs on
        self.sandbox = AutopoieticSandbox(**options) if sandbox is None else sandbox
        self.max_concurrency = max_concurrency
        self._pool = ThreadPoolExecutor(max_concurrency, thread_name_prefix="autopoietic-aio")

    async def __aenter__(self) -> AsyncSandbox:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Clean up the sandbox if this object made it (runs in flight are
        killed, sessions closed), and stop the pool.  Safe to call twice."""
        loop = asyncio.get_running_loop()
        if self._owned:
            await loop.run_in_executor(None, self.sandbox.cleanup)
        self._pool.shutdown(wait=False)

    async def _run(self, call: Callable[[Any, Any, Cancel], ExecutionResult], on_stdout: object,
                   on_stderr: object) -> ExecutionResult:
        """call(on_stdout, on_stderr, cancel) on a pool thread, awaited."""
        callbacks = _check_callbacks(on_stdout, on_stderr)
        cancel = self.sandbox._cancel_scope()
        relay = _Relay(asyncio.get_running_loop(), cancel, callbacks)
        try:
            future = self._pool.submit(call, relay.thread_side(0), relay.thread_side(1), cancel)
        except BaseException:
            cancel.close()
            raise
        future.add_done_callback(lambda _: cancel.close())  # its fd is closed after the C layer is done with it
        result = await _await_thread(future, cancel.cancel)
        await relay.finish()
        return result

    async def run_source(self, source: str, *, stdin: str | bytes | None = None,
                         files: Mapping[str, bytes | str] | None = None, fetch: Iterable[str] = (),
                         on_stdout: AsyncOutputCallback = None, on_stderr: AsyncOutputCallback = None,
                         **limits: float | None) -> ExecutionResult:
        """``AutopoieticSandbox.run_source``, awaitable and cancellable."""
        def call(out: Any, err: Any, cancel: Cancel) -> ExecutionResult:
            return self.sandbox._source(source, stdin, files, fetch, out, err, limits, cancel=cancel)

        return await self._run(call, on_stdout, on_stderr)

    async def run_component(self, component_code: str, component_name: str, *, stdin: str | bytes | None = None,
                            files: Mapping[str, bytes | str] | None = None, fetch: Iterable[str] = (),
                            on_stdout: AsyncOutputCallback = None, on_stderr: AsyncOutputCallback = None,
                            **limits: float | None) -> ExecutionResult:
        """``AutopoieticSandbox.run_component``, awaitable and cancellable
        (the validator runs in the pool thread too)."""
        def call(out: Any, err: Any, cancel: Cancel) -> ExecutionResult:
            return self.sandbox._component(component_code, component_name, stdin, files, fetch, out, err, limits,
                                           cancel=cancel)

        return await self._run(call, on_stdout, on_stderr)

    async def execute_component(self, component_code: str, component_name: str) -> ExecutionResult:
        """``AutopoieticSandbox.execute_component``, awaitable and cancellable."""
        return await self.run_component(component_code, component_name)

    def session(self, *, idle_timeout_s: float = DEFAULT_IDLE_TIMEOUT_S, lifetime_s: float = DEFAULT_LIFETIME_S,
                **limits: float | None) -> AsyncSession:
        """An ``AsyncSession`` (use ``async with``): ``AutopoieticSandbox.session``
        with the same arguments, started when entered (or by ``await
        start()``)."""
        return AsyncSession(self, functools.partial(self.sandbox.session, idle_timeout_s=idle_timeout_s,
                                                    lifetime_s=lifetime_s, **limits))


class AsyncSession:
    """The awaitable mirror of a ``Session``: ``await run(...)``, ``await
    aclose()``.  Cancelling a cell's task kills the session (as a cell over
    its timeout does) and raises ``CancelledError``."""

    def __init__(self, owner: AsyncSandbox, make: Callable[[], Session]) -> None:
        self._owner = owner
        self._make = make
        self.session: Session | None = None

    async def start(self) -> AsyncSession:
        """Open the session (raises what ``AutopoieticSandbox.session`` raises)."""
        if self.session is None:
            pool = self._owner._pool
            future = pool.submit(self._make)
            try:
                self.session = await asyncio.shield(asyncio.wrap_future(future))
            except asyncio.CancelledError:
                # made all the same once started: nobody would hold it
                def close_it(made: Future[Session]) -> None:
                    if not made.cancelled() and made.exception() is None:
                        pool.submit(made.result().close)

                future.add_done_callback(close_it)
                raise
        return self

    async def __aenter__(self) -> AsyncSession:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def _open(self) -> Session:
        if self.session is None:
            raise SandboxError("the session is not started: use `async with` or `await start()`")
        return self.session

    async def run(self, source: str, *, stdin: str | bytes | None = None,
                  files: Mapping[str, bytes | str] | None = None, fetch: Iterable[str] = (),
                  timeout_s: float | None = None, on_stdout: AsyncOutputCallback = None,
                  on_stderr: AsyncOutputCallback = None) -> CellResult:
        """``Session.run``, awaitable and cancellable."""
        session = self._open()
        callbacks = _check_callbacks(on_stdout, on_stderr)

        def kill() -> None:
            session._end("the task running a cell was cancelled", kill=True)

        relay = _Relay(asyncio.get_running_loop(), kill, callbacks)
        future = self._owner._pool.submit(session.run, source, stdin=stdin, files=files, fetch=fetch,
                                          timeout_s=timeout_s, on_stdout=relay.thread_side(0),
                                          on_stderr=relay.thread_side(1))
        result = await _await_thread(future, kill)
        await relay.finish()
        return result

    async def aclose(self) -> None:
        """``Session.close`` (waits in a pool thread while it is reaped)."""
        if self.session is not None:
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(None, self.session.close)

    @property
    def alive(self) -> bool:
        return self.session is not None and self.session.alive
