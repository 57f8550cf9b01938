import json
import logging
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional

logger = logging.getLogger(__name__)


@dataclass
class ToolParameter:
    name: str
    type: str
    description: str
    required: bool = True


@dataclass
class Tool:
    name: str
    description: str
    func: Callable[..., Any]
    parameters: List[ToolParameter] = field(default_factory=list)

    def schema(self) -> Dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "parameters": {
                "type": "object",
                "properties": {p.name: {"type": p.type, "description": p.description} for p in self.parameters},
                "required": [p.name for p in self.parameters if p.required],
            },
        }


class ToolRegistry:
    """Registry of callable tools exposed to a language model.

    The model answers with a JSON "tool call"; the registry looks the tool
    up by name in a dictionary and calls it with the decoded arguments. It
    never resolves names with ``getattr`` on modules or with ``eval``.
    """

    _security_signature = "modulo_autopoiesis_data_tool_registry"
    _generated_in_sandbox = True

    def __init__(self):
        self._tools: Dict[str, Tool] = {}
        self._register_builtin_tools()

    def tool(self, name: Optional[str] = None, parameters: Optional[List[ToolParameter]] = None):
        def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
            tool_name = name or func.__name__
            description = (getattr(func, "__doc__", None) or "").strip().splitlines()[0] if func.__doc__ else ""
            self._tools[tool_name] = Tool(tool_name, description, func, parameters or [])
            return func
        return decorator

    def _register_builtin_tools(self) -> None:
        @self.tool(parameters=[ToolParameter("a", "number", "first operand"), ToolParameter("b", "number", "second operand")])
        def add(a: float, b: float) -> float:
            """Add two numbers."""
            return a + b

        @self.tool(name="word_count", parameters=[ToolParameter("text", "string", "text to analyse")])
        def count_words(text: str) -> int:
            """Count the words in a piece of text."""
            return len(text.split())

    def call(self, payload: str) -> Dict[str, Any]:
        request = json.loads(payload)
        tool = self._tools.get(request.get("name", ""))
        if tool is None:
            return {"error": f"unknown tool {request.get('name')!r}"}
        try:
            return {"result": tool.func(**request.get("arguments", {}))}
        except TypeError as exc:
            logger.error("Bad arguments for %s: %s", tool.name, exc)
            return {"error": str(exc)}

    def run(self):
        print(json.dumps([t.schema() for t in self._tools.values()], indent=1)[:300] + "...")
        for payload in [
            '{"name": "add", "arguments": {"a": 2, "b": 40}}',
            '{"name": "word_count", "arguments": {"text": "the sandbox runs generated code"}}',
            '{"name": "add", "arguments": {"a": 1}}',
            '{"name": "shell", "arguments": {"cmd": "ls"}}',
        ]:
            print(payload, "=>", self.call(payload))
