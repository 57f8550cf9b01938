import logging
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional

logger = logging.getLogger(__name__)


@dataclass
class Attempt:
    strategy: str
    ok: bool
    result: Any = None
    error: Optional[str] = None
    trace_tail: List[str] = field(default_factory=list)


class StrategyExhausted(RuntimeError):
    def __init__(self, attempts: List[Attempt]):
        super().__init__(f"all {len(attempts)} strategies failed")
        self.attempts = attempts


class SelfHealingExecutor:
    """Tries a sequence of strategies until one succeeds.

    Each failure is logged with its traceback (``traceback.format_exc()``)
    so that the agent that generated the component can read the error and
    produce a fixed version. The executor itself never rewrites code or
    calls ``exec``; it only records what happened.
    """

    _security_signature = "modulo_autopoiesis_data_self_healing_executor"
    _generated_in_sandbox = True

    def __init__(self):
        self.strategies: Dict[str, Callable[[Dict[str, Any]], Any]] = {}
        self.attempts: List[Attempt] = []

    def strategy(self, name: str):
        def register(func):
            self.strategies[name] = func
            return func
        return register

    def execute(self, payload: Dict[str, Any]) -> Any:
        self.attempts = []
        for name, func in self.strategies.items():
            try:
                result = func(payload)
            except Exception as exc:
                tb = traceback.format_exc()
                logger.warning("Strategy %s failed: %s", name, exc)
                self.attempts.append(Attempt(name, False, error=f"{type(exc).__name__}: {exc}", trace_tail=tb.strip().splitlines()[-2:]))
                continue
            self.attempts.append(Attempt(name, True, result=result))
            return result
        raise StrategyExhausted(self.attempts)

    def run(self):
        @self.strategy("strict")
        def strict(p):
            return int(p["value"])

        @self.strategy("lenient")
        def lenient(p):
            return int(float(p["value"].replace(",", ".")))

        @self.strategy("default")
        def default(p):
            return p.get("default", 0)

        for payload in ({"value": "42"}, {"value": "3,75"}, {"value": "n/a", "default": -1}):
            print(payload, "->", self.execute(payload), [a.strategy for a in self.attempts])
        print(self.attempts[0].error)
        self.strategies.pop("default")
        try:
            self.execute({"value": "??"})
        except StrategyExhausted as exc:
            print(f"{exc}: {[a.error for a in exc.attempts]}")
