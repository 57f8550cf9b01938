import json
import logging
import time
import uuid
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any, Dict, Iterator, List, Optional

logger = logging.getLogger(__name__)


@dataclass
class Span:
    name: str
    span_id: str
    parent_id: Optional[str]
    depth: int
    started: float
    duration_ms: float = 0.0
    attributes: Dict[str, Any] = field(default_factory=dict)
    status: str = "ok"


class ReasoningTracer:
    """Records a tree of spans describing an agent's reasoning steps.

    Usage::

        with tracer.span("plan", goal="write a parser"):
            with tracer.span("search"):
                ...

    Exported traces are JSON documents compatible with simple trace viewers.
    """

    _security_signature = "modulo_autopoiesis_data_reasoning_tracer"
    _generated_in_sandbox = True

    def __init__(self):
        self.trace_id = uuid.uuid4().hex
        self.spans: List[Span] = []
        self._stack: List[Span] = []

    @contextmanager
    def span(self, name: str, **attributes: Any) -> Iterator[Span]:
        parent = self._stack[-1] if self._stack else None
        current = Span(name, uuid.uuid4().hex[:16], parent.span_id if parent else None, len(self._stack), time.perf_counter(), attributes=attributes)
        self.spans.append(current)
        self._stack.append(current)
        try:
            yield current
        except Exception as exc:
            current.status = f"error: {exc.__class__.__name__}"
            logger.error("span %s failed", name, exc_info=True)
            raise
        finally:
            current.duration_ms = (time.perf_counter() - current.started) * 1000
            self._stack.pop()

    def export(self) -> str:
        return json.dumps({"trace_id": self.trace_id, "spans": [asdict(s) for s in self.spans]})

    def render(self) -> str:
        return "\n".join(f"{'  ' * s.depth}- {s.name} [{s.status}] {s.attributes or ''}".rstrip() for s in self.spans)

    def run(self):
        with self.span("solve", task="sum of squares"):
            with self.span("plan", steps=3):
                plan = ["generate", "square", "sum"]
            with self.span("execute") as ex:
                numbers = list(range(1, 11))
                with self.span("square"):
                    squares = [n * n for n in numbers]
                ex.attributes["result"] = sum(squares)
            try:
                with self.span("verify"):
                    if sum(squares) != 385:
                        raise AssertionError("unexpected total")
                    raise ValueError("verifier not configured")
            except ValueError:
                pass
        print(self.render())
        exported = json.loads(self.export())
        print("spans exported:", len(exported["spans"]), "| plan:", plan, "| trace id length:", len(self.trace_id))
