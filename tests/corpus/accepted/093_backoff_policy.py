import logging
import random
from dataclasses import dataclass, field
from typing import Callable, Iterator, List, Optional, Tuple, Type

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BackoffPolicy:
    base: float = 0.1
    factor: float = 2.0
    maximum: float = 5.0
    max_attempts: int = 6
    jitter: str = "full"  # "none", "full" or "equal"

    def delays(self, rng: random.Random) -> Iterator[float]:
        delay = self.base
        for _ in range(self.max_attempts - 1):
            capped = min(delay, self.maximum)
            if self.jitter == "full":
                yield rng.uniform(0, capped)
            elif self.jitter == "equal":
                yield capped / 2 + rng.uniform(0, capped / 2)
            else:
                yield capped
            delay *= self.factor


@dataclass
class RetryOutcome:
    success: bool
    attempts: int
    waited: float
    value: object = None
    errors: List[str] = field(default_factory=list)


class RetryingCaller:
    """Retries a callable according to a :class:`BackoffPolicy`.

    The sleep function is injectable; the component uses a fake one that only
    records the delay, so ``run()`` finishes instantly.
    """

    _security_signature = "modulo_autopoiesis_data_retrying_caller"
    _generated_in_sandbox = True

    def __init__(self):
        self.rng = random.Random(5)
        self.slept: List[float] = []
        self.sleep: Callable[[float], None] = self.slept.append

    def call(self, func: Callable[[], object], policy: BackoffPolicy,
             retry_on: Tuple[Type[BaseException], ...] = (Exception,)) -> RetryOutcome:
        outcome = RetryOutcome(False, 0, 0.0)
        delays = policy.delays(self.rng)
        while True:
            outcome.attempts += 1
            try:
                outcome.value = func()
                outcome.success = True
                return outcome
            except retry_on as exc:
                outcome.errors.append(repr(exc))
                delay: Optional[float] = next(delays, None)
                if delay is None:
                    logger.error("Giving up after %d attempts", outcome.attempts)
                    return outcome
                self.sleep(delay)
                outcome.waited += delay

    def run(self):
        counter = {"n": 0}

        def eventually_works():
            counter["n"] += 1
            if counter["n"] < 4:
                raise TimeoutError(f"attempt {counter['n']}")
            return "payload"

        for jitter in ("none", "full", "equal"):
            counter["n"] = 0
            result = self.call(eventually_works, BackoffPolicy(jitter=jitter))
            print(f"{jitter:>5}: success={result.success} attempts={result.attempts} waited={result.waited:.3f}s")
        failed = self.call(lambda: 1 / 0, BackoffPolicy(max_attempts=3, jitter="none"))
        print("always failing:", failed.success, failed.attempts, failed.errors[-1])
        print("recorded sleeps:", [round(s, 3) for s in self.slept])
