import functools
import logging
import time
from enum import Enum
from typing import Callable, Optional

logger = logging.getLogger(__name__)


class BreakerState(str, Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitOpenError(RuntimeError):
    """Raised when a call is attempted while the circuit is open."""


class ServiceError(Exception):
    pass


class CircuitBreaker:
    def __init__(self, failure_threshold: int = 3, reset_timeout: float = 0.05, clock: Callable[[], float] = time.monotonic):
        self.failure_threshold = failure_threshold
        self.reset_timeout = reset_timeout
        self.failures = 0
        self.state = BreakerState.CLOSED
        self._opened_at: Optional[float] = None
        self._clock = clock

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            return self.call(func, *args, **kwargs)
        return wrapper

    def call(self, func, *args, **kwargs):
        if self.state is BreakerState.OPEN:
            if self._clock() - self._opened_at >= self.reset_timeout:
                self.state = BreakerState.HALF_OPEN
                logger.info("Circuit half-open, trying %s", func.__name__)
            else:
                raise CircuitOpenError(f"circuit open for {func.__name__}")
        try:
            result = func(*args, **kwargs)
        except Exception as exc:
            self._record_failure()
            raise ServiceError(f"{func.__name__} failed") from exc
        self._reset()
        return result

    def _record_failure(self):
        self.failures += 1
        if self.state is BreakerState.HALF_OPEN or self.failures >= self.failure_threshold:
            self.state = BreakerState.OPEN
            self._opened_at = self._clock()
            logger.warning("Circuit opened after %d failures", self.failures)

    def _reset(self):
        self.failures = 0
        self.state = BreakerState.CLOSED


class CircuitBreakerDemo:
    _security_signature = "modulo_autopoiesis_data_circuit_breaker_demo"
    _generated_in_sandbox = True

    def __init__(self):
        self.now = 0.0
        self.breaker = CircuitBreaker(failure_threshold=2, reset_timeout=5.0, clock=lambda: self.now)
        self.healthy = False

    def run(self):
        @self.breaker
        def remote_call(x):
            if not self.healthy:
                raise TimeoutError("upstream timed out")
            return x * 2

        for step in range(6):
            if step == 4:
                self.now += 10
                self.healthy = True
            try:
                print(f"step {step}: result={remote_call(step)} state={self.breaker.state.value}")
            except CircuitOpenError as exc:
                print(f"step {step}: blocked ({exc})")
            except ServiceError as exc:
                print(f"step {step}: {exc}; cause={exc.__cause__!r}; state={self.breaker.state.value}")
