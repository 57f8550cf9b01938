import functools
import logging
import time
from typing import Any, Callable, Dict, Hashable, Tuple

logger = logging.getLogger(__name__)


def ttl_cache(seconds: float = 60.0, maxsize: int = 256, clock: Callable[[], float] = time.monotonic):
    """Memoize a function for ``seconds`` seconds.

    Unlike :func:`functools.lru_cache`, entries expire. The wrapper exposes
    ``cache_clear()`` and ``cache_stats()``.
    """

    def decorator(func):
        cache: Dict[Hashable, Tuple[float, Any]] = {}
        stats = {"hits": 0, "misses": 0, "expired": 0}

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            key = functools._make_key(args, kwargs, typed=False)
            now = clock()
            entry = cache.get(key)
            if entry is not None:
                expires, value = entry
                if now < expires:
                    stats["hits"] += 1
                    return value
                stats["expired"] += 1
                del cache[key]
            stats["misses"] += 1
            value = func(*args, **kwargs)
            if len(cache) >= maxsize:
                oldest = min(cache, key=lambda k: cache[k][0])
                cache.pop(oldest)
            cache[key] = (now + seconds, value)
            return value

        wrapper.cache_clear = cache.clear
        wrapper.cache_stats = lambda: dict(stats, size=len(cache))
        return wrapper

    return decorator


class ExchangeRateService:
    _security_signature = "modulo_autopoiesis_data_exchange_rate_service"
    _generated_in_sandbox = True

    RATES = {("USD", "EUR"): 0.92, ("USD", "GBP"): 0.79, ("EUR", "GBP"): 0.86}

    def __init__(self):
        self.now = 0.0
        self.lookups = 0
        self.get_rate = ttl_cache(seconds=10, clock=lambda: self.now)(self._lookup)

    def _lookup(self, base: str, quote: str) -> float:
        self.lookups += 1
        if (base, quote) in self.RATES:
            return self.RATES[(base, quote)]
        if (quote, base) in self.RATES:
            return round(1 / self.RATES[(quote, base)], 4)
        raise KeyError(f"no rate for {base}/{quote}")

    def run(self):
        for t, pair in [(0, ("USD", "EUR")), (1, ("USD", "EUR")), (2, ("GBP", "USD")), (12, ("USD", "EUR")), (13, ("GBP", "USD"))]:
            self.now = t
            print(f"t={t:>2} {pair[0]}/{pair[1]} = {self.get_rate(*pair)}")
        print("backend lookups:", self.lookups, "stats:", self.get_rate.cache_stats())
        print("wrapped name:", self.get_rate.__name__, "| doc:", self.get_rate.__wrapped__.__name__)
