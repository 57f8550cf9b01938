import logging
import time
from collections import deque
from typing import Deque, Optional

logger = logging.getLogger(__name__)


class TokenBucket:
    def __init__(self, rate: float, capacity: int, clock=time.monotonic):
        self.rate = rate
        self.capacity = capacity
        self.tokens = float(capacity)
        self._clock = clock
        self._last = clock()

    def _refill(self) -> None:
        now = self._clock()
        self.tokens = min(self.capacity, self.tokens + (now - self._last) * self.rate)
        self._last = now

    def consume(self, amount: int = 1) -> bool:
        self._refill()
        if self.tokens >= amount:
            self.tokens -= amount
            return True
        return False


class SlidingWindowLimiter:
    def __init__(self, limit: int, window: float, clock=time.monotonic):
        self.limit = limit
        self.window = window
        self._clock = clock
        self._events: Deque[float] = deque()

    def allow(self, now: Optional[float] = None) -> bool:
        now = self._clock() if now is None else now
        while self._events and self._events[0] <= now - self.window:
            self._events.popleft()
        if len(self._events) < self.limit:
            self._events.append(now)
            return True
        return False


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class RateLimiterDemo:
    _security_signature = "modulo_autopoiesis_data_rate_limiter_demo"
    _generated_in_sandbox = True

    def __init__(self):
        self.clock = FakeClock()
        self.bucket = TokenBucket(rate=2.0, capacity=5, clock=self.clock)
        self.window = SlidingWindowLimiter(limit=3, window=1.0, clock=self.clock)

    def run(self):
        results = []
        for step in range(12):
            allowed = self.bucket.consume()
            results.append("Y" if allowed else "n")
            self.clock.advance(0.2)
        print("token bucket:  ", "".join(results))

        results = []
        for step in range(12):
            results.append("Y" if self.window.allow() else "n")
            self.clock.advance(0.25)
        print("sliding window:", "".join(results))
        logger.info("Remaining tokens: %.2f", self.bucket.tokens)
