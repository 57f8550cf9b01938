"""A ``concurrent.futures.Executor`` whose workers run components in sandboxes.

>>> from autopoietic.executor import SandboxExecutor
>>> with SandboxExecutor(max_workers=4, timeout_s=10) as pool:  # doctest: +SKIP
...     futures = [pool.submit_component(code, name) for code, name in items]
...     results = [f.result() for f in futures]

Each worker thread runs its components through one ``AutopoieticSandbox``
(shared by the workers, built from the keyword arguments), which keeps one
warm fork server per worker thread: the same isolation, limits and result
dict as calling ``execute_component`` yourself, N components at once.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from typing import Any, Callable, Optional, TypeVar

from .sandbox import AutopoieticSandbox, ExecutionResult

__all__ = ["SandboxExecutor"]

_T = TypeVar("_T")


class SandboxExecutor(Executor):
    """``SandboxExecutor(max_workers=None, **sandbox_options)``

    ``max_workers``: worker threads, each running one component at a time
    (default: the number of online CPUs; components are CPU-bound).
    ``sandbox_options``: keyword arguments of ``AutopoieticSandbox``
    (``max_memory_mb``, ``timeout_s``, ``mode``, ...); checked here, so a
    bad option raises ``TypeError`` or ``ValueError`` at construction.

    ``submit_component(code, name, **options)`` and ``submit_source(source,
    **options)`` (options: the per-call ones of ``run_source``) return a
    ``Future`` of the result dict (docs/api.md, "The result dict"); a
    component the validator refuses, or bad input, fails its future with
    the ``SandboxError`` / ``TypeError`` that ``execute_component`` raises.
    ``submit(fn, *args)`` runs a plain callable on a worker, as any
    ``Executor`` does (not sandboxed).

    ``shutdown(wait=True, cancel_futures=False)``: no new submissions; with
    ``cancel_futures`` the pending ones are cancelled and the running ones
    are killed (their results say ``cancelled``); then the sandbox is
    cleaned up (work directories, fork servers).  Also on context exit.
    """

    def __init__(self, max_workers: Optional[int] = None, **sandbox_options: Any) -> None:
        if max_workers is None:
            max_workers = os.cpu_count() or 1
        if isinstance(max_workers, bool) or not isinstance(max_workers, int):
            raise TypeError(f"max_workers must be an int, not {type(max_workers).__name__}")
        if max_workers <= 0:
            raise ValueError(f"max_workers must be > 0, got {max_workers}")
        self.max_workers = max_workers
        self.sandbox = AutopoieticSandbox(**sandbox_options)
        self._pool = ThreadPoolExecutor(max_workers, thread_name_prefix="autopoietic-sandbox")
        self._shutdown_lock = threading.Lock()
        self._closed = False

    def submit(self, fn: Callable[..., _T], /, *args: Any, **kwargs: Any) -> Future[_T]:
        """Run ``fn(*args, **kwargs)`` on a worker thread (not sandboxed).
        Raises ``RuntimeError`` after ``shutdown()``."""
        with self._shutdown_lock:
            if self._closed:
                raise RuntimeError("cannot submit to a SandboxExecutor after shutdown()")
            return self._pool.submit(fn, *args, **kwargs)

    def submit_component(self, code: str, name: str, **options: Any) -> Future[ExecutionResult]:
        """``run_component(code, name, **options)`` on a worker (without
        options: ``execute_component``): a ``Future`` of the result dict.
        ``options``: the per-call ones (``stdin``, ``files``, ``fetch``,
        ``timeout_s`` and the other limits; docs/api.md)."""
        return self.submit(self.sandbox.run_component, code, name, **options)

    def submit_source(self, source: str, **options: Any) -> Future[ExecutionResult]:
        """``run_source(source, **options)`` on a worker: a ``Future`` of the
        result dict."""
        return self.submit(self.sandbox.run_source, source, **options)

    def map_components(self, items: Iterable[tuple[str, str]], timeout: Optional[float] = None,
                       ) -> Iterator[ExecutionResult]:
        """Results of ``execute_component(code, name)`` for each ``(code,
        name)`` of ``items``, in order, run up to ``max_workers`` at once
        (``Executor.map``: ``timeout`` in seconds for the whole iteration,
        the first exception is raised where its result would be)."""
        return self.map(lambda item: self.sandbox.execute_component(*item), items, timeout=timeout)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._shutdown_lock:
            self._closed = True
        if cancel_futures:
            # pending futures are cancelled; running ones are killed through
            # the sandbox (their runs end as cancelled within milliseconds)
            self._pool.shutdown(wait=False, cancel_futures=True)
            self.sandbox.cleanup()
            if wait:
                self._pool.shutdown(wait=True)
        elif wait:
            self._pool.shutdown(wait=True)
            self.sandbox.cleanup()
        else:
            self._pool.shutdown(wait=False)
            # clean up once the last queued run is done
            threading.Thread(target=self._cleanup_when_idle, name="autopoietic-executor-cleanup",
                             daemon=True).start()

    def _cleanup_when_idle(self) -> None:
        self._pool.shutdown(wait=True)
        self.sandbox.cleanup()
