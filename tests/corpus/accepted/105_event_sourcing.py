import json
import logging
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Dict, List

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Event:
    kind: str
    data: Dict[str, Any]
    version: int
    at: str


@dataclass
class CartState:
    items: Dict[str, int] = field(default_factory=dict)
    checked_out: bool = False


class EventStore:
    def __init__(self):
        self._events: List[Event] = []
        self._clock = datetime(2024, 6, 1, 9, 0, tzinfo=timezone.utc)

    def append(self, kind: str, **data: Any) -> Event:
        self._clock += timedelta(minutes=1)
        event = Event(kind, data, len(self._events) + 1, self._clock.isoformat())
        self._events.append(event)
        return event

    def __iter__(self):
        return iter(self._events)

    def upto(self, version: int) -> List[Event]:
        return [e for e in self._events if e.version <= version]


def _item_added(state: CartState, data: Dict[str, Any]) -> None:
    state.items[data["sku"]] = state.items.get(data["sku"], 0) + data["qty"]


def _item_removed(state: CartState, data: Dict[str, Any]) -> None:
    remaining = state.items.get(data["sku"], 0) - data["qty"]
    if remaining > 0:
        state.items[data["sku"]] = remaining
    else:
        state.items.pop(data["sku"], None)


def _checked_out(state: CartState, data: Dict[str, Any]) -> None:
    state.checked_out = True


HANDLERS: Dict[str, Callable[[CartState, Dict[str, Any]], None]] = {
    "ItemAdded": _item_added,
    "ItemRemoved": _item_removed,
    "CheckedOut": _checked_out,
}


class EventSourcedCart:
    """Rebuilds a shopping cart's state by replaying its events."""

    _security_signature = "modulo_autopoiesis_data_event_sourced_cart"
    _generated_in_sandbox = True

    def __init__(self):
        self.store = EventStore()

    @staticmethod
    def replay(events) -> CartState:
        state = CartState()
        for event in events:
            handler = HANDLERS.get(event.kind)
            if handler is None:
                logger.warning("No handler for event %s", event.kind)
                continue
            handler(state, event.data)
        return state

    def run(self):
        self.store.append("ItemAdded", sku="book", qty=2)
        self.store.append("ItemAdded", sku="pen", qty=5)
        self.store.append("ItemRemoved", sku="pen", qty=3)
        self.store.append("CouponApplied", code="SPRING")
        self.store.append("ItemRemoved", sku="book", qty=2)
        self.store.append("CheckedOut")
        print("current:", self.replay(self.store))
        print("at v3:  ", self.replay(self.store.upto(3)))
        print(json.dumps([asdict(e) for e in self.store][:2], indent=None))
