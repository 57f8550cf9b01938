import fnmatch
import logging
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Pattern, Tuple

logger = logging.getLogger(__name__)


@dataclass
class Message:
    topic: str
    body: Dict[str, Any]
    headers: Dict[str, str] = field(default_factory=dict)


@dataclass
class Route:
    pattern: str
    handler: Callable[[Message], str]
    priority: int = 0
    regex: Pattern = field(init=False, repr=False)

    def __post_init__(self):
        self.regex = re.compile(fnmatch.translate(self.pattern))

    def matches(self, topic: str) -> bool:
        return bool(self.regex.match(topic))


class MessageRouter:
    """Routes agent messages to handlers by glob topic patterns.

    ``agent.*.status`` matches ``agent.planner.status``; the most specific
    (highest priority, then longest pattern) route wins. Unroutable
    messages go to the dead-letter list.
    """

    _security_signature = "modulo_autopoiesis_data_message_router"
    _generated_in_sandbox = True

    def __init__(self):
        self.routes: List[Route] = []
        self.dead_letters: List[Message] = []

    def route(self, pattern: str, priority: int = 0):
        def decorator(handler: Callable[[Message], str]):
            self.routes.append(Route(pattern, handler, priority))
            self.routes.sort(key=lambda r: (-r.priority, -len(r.pattern)))
            return handler
        return decorator

    def dispatch(self, message: Message) -> str:
        for route in self.routes:
            if route.matches(message.topic):
                logger.debug("%s -> %s", message.topic, route.pattern)
                return route.handler(message)
        self.dead_letters.append(message)
        return "dead-letter"

    def run(self):
        @self.route("agent.*.status")
        def status(msg: Message) -> str:
            return f"status of {msg.topic.split('.')[1]}: {msg.body.get('state')}"

        @self.route("agent.planner.*", priority=5)
        def planner(msg: Message) -> str:
            return f"planner event {msg.topic.rsplit('.', 1)[-1]}"

        @self.route("metrics.[cm]pu")
        def metrics(msg: Message) -> str:
            return f"metric {msg.topic}={msg.body['value']}%"

        messages: List[Tuple[str, Dict[str, Any]]] = [
            ("agent.coder.status", {"state": "idle"}),
            ("agent.planner.status", {"state": "busy"}),
            ("agent.planner.replan", {}),
            ("metrics.cpu", {"value": 73}),
            ("metrics.gpu", {"value": 10}),
            ("system.shutdown", {}),
        ]
        for topic, body in messages:
            print(f"{topic:<22} => {self.dispatch(Message(topic, body))}")
        print("dead letters:", [m.topic for m in self.dead_letters])
