import logging
from collections import OrderedDict
from typing import Generic, Hashable, Optional, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

logger = logging.getLogger(__name__)


class LRUCache(Generic[K, V]):
    """Least-recently-used cache with a fixed capacity."""

    def __init__(self, capacity: int = 128):
        if capacity <= 0:
            raise ValueError("capacity must be positive")
        self.capacity = capacity
        self._data: "OrderedDict[K, V]" = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, key: K, default: Optional[V] = None) -> Optional[V]:
        if key in self._data:
            self._data.move_to_end(key)
            self.hits += 1
            return self._data[key]
        self.misses += 1
        return default

    def put(self, key: K, value: V) -> None:
        if key in self._data:
            self._data.move_to_end(key)
        self._data[key] = value
        if len(self._data) > self.capacity:
            evicted, _ = self._data.popitem(last=False)
            logger.debug("Evicted %r", evicted)

    def __contains__(self, key) -> bool:
        return key in self._data

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(capacity={self.capacity}, size={len(self)})"

    @property
    def hit_ratio(self) -> float:
        total = self.hits + self.misses
        return self.hits / total if total else 0.0


class CacheStoreComponent:
    _security_signature = "modulo_autopoiesis_data_cache_store_component"
    _generated_in_sandbox = True

    def __init__(self):
        self.cache: LRUCache[str, int] = LRUCache(capacity=3)

    def run(self):
        for word in ["alpha", "beta", "gamma", "alpha", "delta", "beta", "alpha", "epsilon"]:
            value = self.cache.get(word)
            if value is None:
                self.cache.put(word, len(word))
        print(self.cache)
        print("keys:", list(self.cache._data.keys()))
        print(f"hits={self.cache.hits} misses={self.cache.misses} ratio={self.cache.hit_ratio:.2%}")
