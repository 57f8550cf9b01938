from functools import lru_cache


@lru_cache(maxsize=None)
def fibonacci(n: int) -> int:
    """Return the n-th Fibonacci number.

    Args:
        n: Index in the sequence (0-based). Must be non-negative.

    Returns:
        The Fibonacci number at position ``n``.

    Raises:
        ValueError: If ``n`` is negative.
    """
    if n < 0:
        raise ValueError("n must be non-negative")
    if n < 2:
        return n
    return fibonacci(n - 1) + fibonacci(n - 2)


def fibonacci_sequence(count: int) -> list[int]:
    """Generate the first ``count`` Fibonacci numbers."""
    return [fibonacci(i) for i in range(count)]


if __name__ == "__main__":
    print(fibonacci_sequence(15))
    print(f"fib(90) = {fibonacci(90)}")
    print(fibonacci.cache_info())
