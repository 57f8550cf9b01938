import logging
from collections import deque
from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Coroutine, Deque, List, Tuple

logger = logging.getLogger(__name__)


class _Suspend:
    """Awaitable that yields control back to the scheduler once."""

    def __await__(self):
        yield


async def checkpoint() -> None:
    await _Suspend()


class MiniLoop:
    """Round-robin scheduler for coroutines (a teaching-sized event loop).

    Real code would use ``asyncio.run``; this loop exists so the component
    stays self-contained and deterministic.
    """

    def __init__(self):
        self.ready: Deque[Tuple[int, Coroutine[Any, Any, Any]]] = deque()
        self.results: dict = {}

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> int:
        task_id = len(self.results) + len(self.ready)
        self.ready.append((task_id, coro))
        return task_id

    def run_all(self) -> dict:
        while self.ready:
            task_id, coro = self.ready.popleft()
            try:
                coro.send(None)
            except StopIteration as stop:
                self.results[task_id] = stop.value
            except Exception as exc:
                logger.error("task %d crashed: %s", task_id, exc)
                self.results[task_id] = exc
            else:
                self.ready.append((task_id, coro))
        return self.results


class RateGate:
    """Async context manager that records concurrent entries."""

    def __init__(self):
        self.active = 0
        self.peak = 0

    async def __aenter__(self):
        self.active += 1
        self.peak = max(self.peak, self.active)
        await checkpoint()
        return self

    async def __aexit__(self, exc_type, exc, tb):
        self.active -= 1
        return False


@dataclass
class BatchReport:
    name: str
    processed: List[int] = field(default_factory=list)


class AsyncBatchProcessor:
    _security_signature = "modulo_autopoiesis_data_async_batch_processor"
    _generated_in_sandbox = True

    def __init__(self):
        self.loop = MiniLoop()
        self.gate = RateGate()
        self.trace: List[str] = []

    async def numbers(self, start: int, stop: int) -> AsyncIterator[int]:
        for n in range(start, stop):
            await checkpoint()
            yield n

    async def process(self, name: str, start: int, stop: int) -> BatchReport:
        report = BatchReport(name)
        async with self.gate:
            async for n in self.numbers(start, stop):
                if n == 13:
                    raise ValueError(f"{name}: unlucky item {n}")
                report.processed.append(n * n)
                self.trace.append(f"{name}:{n}")
        return report

    def run(self):
        for name, start, stop in (("alpha", 0, 3), ("beta", 10, 12), ("gamma", 12, 15)):
            self.loop.spawn(self.process(name, start, stop))
        results = self.loop.run_all()
        for task_id, result in sorted(results.items()):
            if isinstance(result, Exception):
                print(f"task {task_id}: failed with {result!r}")
            else:
                print(f"task {task_id}: {result.name} -> {result.processed}")
        print("interleaving:", " ".join(self.trace))
        print("peak concurrency:", self.gate.peak)
