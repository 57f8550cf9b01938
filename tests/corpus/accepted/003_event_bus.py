import logging
from collections import defaultdict
from typing import Any, Callable, DefaultDict, List

logger = logging.getLogger(__name__)

Handler = Callable[[str, Any], None]


class EventBus:
    """A minimal publish/subscribe event bus.

    Subscribers register callables per topic; publishing an event invokes
    every subscriber of that topic in registration order.
    """

    _security_signature = "modulo_autopoiesis_data_event_bus"
    _generated_in_sandbox = True

    def __init__(self):
        self._handlers: DefaultDict[str, List[Handler]] = defaultdict(list)
        self._history: List[tuple] = []

    def subscribe(self, topic: str, handler: Handler) -> None:
        self._handlers[topic].append(handler)
        logger.debug("Subscribed %s to %s", getattr(handler, "__name__", repr(handler)), topic)

    def unsubscribe(self, topic: str, handler: Handler) -> bool:
        handlers = self._handlers.get(topic, [])
        if handler in handlers:
            handlers.remove(handler)
            return True
        return False

    def publish(self, topic: str, payload: Any = None) -> int:
        self._history.append((topic, payload))
        delivered = 0
        for handler in list(self._handlers.get(topic, [])):
            try:
                handler(topic, payload)
                delivered += 1
            except Exception:
                logger.exception("Handler failed for topic %s", topic)
        return delivered

    def run(self):
        received = []

        def on_created(topic, payload):
            received.append(f"{topic}: {payload['id']}")

        def on_any(topic, payload):
            received.append(f"audit -> {topic}")

        self.subscribe("user.created", on_created)
        self.subscribe("user.created", on_any)
        self.subscribe("user.deleted", on_any)

        count = self.publish("user.created", {"id": 42})
        count += self.publish("user.deleted", {"id": 7})
        count += self.publish("user.unknown")

        for line in received:
            print(line)
        print(f"Delivered {count} events across {len(self._history)} publications")
