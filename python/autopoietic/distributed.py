"""Spread components over a Dask cluster, one warm sandbox per worker process.

>>> from dask.distributed import Client                       # doctest: +SKIP
>>> from autopoietic.distributed import run_on_dask
>>> with Client("tcp://scheduler:8786") as client:
...     results = run_on_dask([(code, "greeter"), ...], client, timeout_s=10)

Needs the optional extra: ``pip install autopoietic[dask]``.  Every worker
host needs what ``python -m autopoietic doctor`` checks (Linux, user and
other namespaces allowed, seccomp) and this package installed for the
workers' interpreter; each worker process keeps one ``AutopoieticSandbox``
per distinct set of sandbox options, cleaned up when the worker closes.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from .sandbox import AutopoieticSandbox, ExecutionResult

if TYPE_CHECKING:
    from distributed import Client

__all__ = ["run_on_dask", "run_in_worker"]

_PLUGIN_NAME = "autopoietic-sandboxes"
_sandboxes: dict[tuple[tuple[str, Any], ...], AutopoieticSandbox] = {}
_lock = threading.Lock()


def _worker_sandbox(options: Mapping[str, Any]) -> AutopoieticSandbox:
    """This process's sandbox for options (made on first use)."""
    key = tuple(sorted(options.items()))
    with _lock:
        sandbox = _sandboxes.get(key)
        if sandbox is None:
            sandbox = _sandboxes[key] = AutopoieticSandbox(**options)
        return sandbox


def _cleanup_sandboxes() -> None:
    with _lock:
        sandboxes = list(_sandboxes.values())
        _sandboxes.clear()
    for sandbox in sandboxes:
        sandbox.cleanup()


def run_in_worker(item: tuple[str, str], options: Mapping[str, Any]) -> ExecutionResult:
    """The task each worker runs: ``execute_component(code, name)`` for
    ``item = (code, name)`` in this process's sandbox for ``options``."""
    code, name = item
    return _worker_sandbox(options).execute_component(code, name)


def _plugin() -> Any:
    from distributed.diagnostics.plugin import WorkerPlugin

    class SandboxCleanup(WorkerPlugin):  # type: ignore[misc,unused-ignore]  # Any without dask's types
        """Cleans up the worker's sandboxes when the worker closes."""

        name = _PLUGIN_NAME

        def teardown(self, worker: Any) -> None:
            _cleanup_sandboxes()

    return SandboxCleanup()


def run_on_dask(items: Iterable[tuple[str, str]], client: Client, **sandbox_options: Any) -> list[ExecutionResult]:
    """Run each ``(code, name)`` of ``items`` as a component on the cluster
    behind ``client`` (a ``dask.distributed.Client``) and return the result
    dicts, in order: the same dicts ``AutopoieticSandbox(**sandbox_options)
    .execute_component(code, name)`` returns locally.

    ``sandbox_options`` (``max_memory_mb``, ``timeout_s``, ``mode``, ...)
    must be picklable; they are checked here first (``TypeError`` /
    ``ValueError``).  A component the validator refuses raises its
    ``SandboxError`` here, as ``Client.gather`` does.  Registers a worker
    plugin that cleans up each worker's sandboxes when it closes.
    """
    AutopoieticSandbox(**sandbox_options).cleanup()  # bad options fail here, not on every worker
    client.register_plugin(_plugin(), name=_PLUGIN_NAME)
    futures = client.map(run_in_worker, list(items), options=dict(sandbox_options), pure=False)
    results: list[ExecutionResult] = client.gather(futures)  # type: ignore[no-untyped-call,unused-ignore]
    return results
