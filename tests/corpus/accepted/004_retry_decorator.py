import functools
import logging
import time

logger = logging.getLogger(__name__)


def retry(max_attempts=3, delay=0.01, backoff=2.0, exceptions=(Exception,)):
    """Retry a function call with exponential backoff.

    :param max_attempts: maximum number of attempts before giving up
    :param delay: initial delay between attempts, in seconds
    :param backoff: multiplier applied to the delay after each failure
    :param exceptions: tuple of exception types that trigger a retry
    :raises: the last exception if every attempt fails
    """

    def decorator(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            current_delay = delay
            for attempt in range(1, max_attempts + 1):
                try:
                    return func(*args, **kwargs)
                except exceptions as exc:
                    if attempt == max_attempts:
                        logger.error("%s failed after %d attempts", func.__name__, attempt, exc_info=True)
                        raise
                    logger.warning(
                        "Attempt %d/%d for %s failed: %s. Retrying in %.2fs",
                        attempt, max_attempts, func.__name__, exc, current_delay,
                    )
                    time.sleep(current_delay)
                    current_delay *= backoff

        return wrapper

    return decorator


class FlakyService:
    def __init__(self, failures_before_success=2):
        self.calls = 0
        self.failures_before_success = failures_before_success

    @retry(max_attempts=4, delay=0.001)
    def fetch(self):
        self.calls += 1
        if self.calls <= self.failures_before_success:
            raise ConnectionError(f"simulated failure #{self.calls}")
        return {"status": "ok", "calls": self.calls}


if __name__ == "__main__":
    service = FlakyService()
    result = service.fetch()
    print(f"Result: {result}")
    print(f"Wrapped function name: {FlakyService.fetch.__name__}")
