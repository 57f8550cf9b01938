import json
import logging
from string import Template
from typing import Any, Callable, Dict, List

logger = logging.getLogger(__name__)

PLAN_JSON = """
[
  {"id": "greet", "tool": "concat", "args": {"parts": ["Hello", "$user"]}},
  {"id": "count", "tool": "length", "args": {"text": "${greet}"}},
  {"id": "math", "tool": "multiply", "args": {"a": "${count}", "b": 3}},
  {"id": "summary", "tool": "concat", "args": {"parts": ["${greet}", "has", "${count}", "chars; x3 =", "${math}"]}},
  {"id": "broken", "tool": "divide", "args": {"a": 1, "b": 0}},
  {"id": "orphan", "tool": "length", "args": {"text": "${missing}"}}
]
"""


class PlanStepError(Exception):
    def __init__(self, step_id: str, reason: str):
        super().__init__(f"step {step_id!r}: {reason}")
        self.step_id = step_id


class PlanExecutor:
    """Executes a JSON plan of tool calls produced by a planner model.

    Arguments may reference earlier results with ``$name`` / ``${name}``
    placeholders, which are filled with :class:`string.Template`; no
    expression language (and no ``eval``) is involved.
    """

    _security_signature = "modulo_autopoiesis_data_plan_executor"
    _generated_in_sandbox = True

    def __init__(self):
        self.tools: Dict[str, Callable[..., Any]] = {
            "concat": lambda parts: " ".join(str(p) for p in parts),
            "length": lambda text: len(text),
            "multiply": lambda a, b: int(a) * int(b),
            "divide": lambda a, b: a / b,
        }
        self.results: Dict[str, Any] = {"user": "Ada"}
        self.errors: List[str] = []

    def _substitute(self, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return Template(value).substitute({k: str(v) for k, v in self.results.items()})
            except KeyError as exc:
                raise PlanStepError("?", f"unknown reference {exc.args[0]!r}") from None
        if isinstance(value, list):
            return [self._substitute(v) for v in value]
        if isinstance(value, dict):
            return {k: self._substitute(v) for k, v in value.items()}
        return value

    def execute_step(self, step: Dict[str, Any]) -> Any:
        tool = self.tools.get(step["tool"])
        if tool is None:
            raise PlanStepError(step["id"], f"unknown tool {step['tool']!r}")
        try:
            args = self._substitute(step.get("args", {}))
        except PlanStepError as exc:
            raise PlanStepError(step["id"], str(exc).split(": ", 1)[1]) from None
        try:
            return tool(**args)
        except Exception as exc:
            raise PlanStepError(step["id"], f"{type(exc).__name__}: {exc}") from exc

    def run(self):
        for step in json.loads(PLAN_JSON):
            try:
                self.results[step["id"]] = self.execute_step(step)
                print(f"{step['id']:<8} = {self.results[step['id']]!r}")
            except PlanStepError as exc:
                logger.error("Plan step failed: %s", exc)
                self.errors.append(str(exc))
                print(f"{step['id']:<8} ! {exc}")
        print(f"{len(self.results) - 1} results, {len(self.errors)} errors")
