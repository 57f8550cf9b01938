import logging
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Dict, List

logger = logging.getLogger(__name__)


class _Yield:
    """An awaitable that suspends once, like ``asyncio.sleep(0)``."""

    def __await__(self):
        yield


def run_until_complete(coros: List[Awaitable[Any]]) -> List[Any]:
    """Drive coroutines round-robin until all of them finish."""
    pending = list(enumerate(coros))
    results: Dict[int, Any] = {}
    while pending:
        still_pending = []
        for index, coro in pending:
            try:
                coro.send(None)
            except StopIteration as stop:
                results[index] = stop.value
            else:
                still_pending.append((index, coro))
        pending = still_pending
    return [results[i] for i in range(len(coros))]


@dataclass
class Step:
    name: str
    action: Callable[[Dict[str, Any]], Any]
    retries: int = 0


@dataclass
class Workflow:
    name: str
    steps: List[Step] = field(default_factory=list)
    log: List[str] = field(default_factory=list)

    async def execute(self, context: Dict[str, Any]) -> Dict[str, Any]:
        for step in self.steps:
            attempt = 0
            while True:
                await _Yield()
                try:
                    context[step.name] = step.action(context)
                    self.log.append(f"{self.name}:{step.name}:ok")
                    break
                except Exception as exc:
                    attempt += 1
                    self.log.append(f"{self.name}:{step.name}:error:{exc}")
                    if attempt > step.retries:
                        raise
        return context


class AsyncWorkflowRunner:
    _security_signature = "modulo_autopoiesis_data_async_workflow_runner"
    _generated_in_sandbox = True

    def __init__(self):
        self.attempts = {"flaky": 0}

    def _flaky(self, ctx):
        self.attempts["flaky"] += 1
        if self.attempts["flaky"] < 2:
            raise RuntimeError("transient")
        return ctx["load"] * 2

    def run(self):
        wf_a = Workflow("etl", [
            Step("load", lambda ctx: 21),
            Step("transform", self._flaky, retries=2),
            Step("report", lambda ctx: f"result={ctx['transform']}"),
        ])
        wf_b = Workflow("greet", [Step("name", lambda ctx: "world"), Step("message", lambda ctx: f"hello {ctx['name']}")])
        results = run_until_complete([wf_a.execute({}), wf_b.execute({})])
        print(results[0]["report"], "|", results[1]["message"])
        for line in wf_a.log + wf_b.log:
            print(" ", line)
