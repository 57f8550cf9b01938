import logging
import time
from collections import OrderedDict
from typing import Any, Callable, Dict, Hashable, Iterator, Optional, Tuple

logger = logging.getLogger(__name__)

_MISSING = object()


class ExpiringStore:
    """Key/value store whose entries expire after a time-to-live.

    Expired keys are removed lazily on access and eagerly by :meth:`purge`.
    """

    def __init__(self, default_ttl: float = 60.0, clock: Callable[[], float] = time.monotonic):
        self.default_ttl = default_ttl
        self._clock = clock
        self._data: "OrderedDict[Hashable, Tuple[float, Any]]" = OrderedDict()

    def set(self, key: Hashable, value: Any, ttl: Optional[float] = None) -> None:
        expires = self._clock() + (self.default_ttl if ttl is None else ttl)
        self._data[key] = (expires, value)
        self._data.move_to_end(key)

    def get(self, key: Hashable, default: Any = None) -> Any:
        entry = self._data.get(key, _MISSING)
        if entry is _MISSING:
            return default
        expires, value = entry
        if expires <= self._clock():
            del self._data[key]
            return default
        return value

    def purge(self) -> int:
        now = self._clock()
        expired = [k for k, (exp, _) in self._data.items() if exp <= now]
        for key in expired:
            del self._data[key]
        if expired:
            logger.debug("Purged %d expired keys", len(expired))
        return len(expired)

    def ttl(self, key: Hashable) -> Optional[float]:
        entry = self._data.get(key)
        return None if entry is None else max(0.0, entry[0] - self._clock())

    def __len__(self) -> int:
        return len(self._data)

    def __iter__(self) -> Iterator[Hashable]:
        now = self._clock()
        return iter([k for k, (exp, _) in self._data.items() if exp > now])


class SessionStore:
    _security_signature = "modulo_autopoiesis_data_session_store"
    _generated_in_sandbox = True

    def __init__(self):
        self.now = 1000.0
        self.store = ExpiringStore(default_ttl=30, clock=lambda: self.now)

    def run(self):
        self.store.set("session:alice", {"user": "alice"}, ttl=10)
        self.store.set("session:bob", {"user": "bob"})
        self.store.set("csrf:xyz", "token", ttl=5)
        snapshots: Dict[float, list] = {}
        for step in (0, 6, 11, 31):
            self.now = 1000.0 + step
            snapshots[step] = sorted(self.store)
        for step, keys in snapshots.items():
            print(f"t+{step:>2}s live keys: {keys}")
        print("alice:", self.store.get("session:alice", "expired"), "| bob ttl:", self.store.ttl("session:bob"))
        print("purged:", self.store.purge(), "remaining:", len(self.store))
