import functools
import time


@functools.cache
def factorial(n: int) -> int:
    return n * factorial(n - 1) if n else 1


@functools.lru_cache(maxsize=32, typed=True)
def describe(value):
    return f"{type(value).__name__}:{value}"


@functools.lru_cache(maxsize=2)
def slow_square(n: int) -> int:
    time.sleep(0.001)
    return n * n


class Resolver:
    def __init__(self, table):
        self.table = table

    @functools.lru_cache(maxsize=None)
    def resolve(self, key):
        # Note: caching on methods keeps ``self`` alive; fine for long-lived objects.
        return self.table.get(key, key)


if __name__ == "__main__":
    print(factorial(20), factorial.cache_info())
    print(describe(1), describe(1.0), describe.cache_info().currsize)
    for n in (1, 2, 1, 3, 1, 2):
        slow_square(n)
    print(slow_square.cache_info())
    slow_square.cache_clear()
    print(slow_square.cache_info())
    r = Resolver({"a": "alpha", "b": "beta"})
    print([r.resolve(k) for k in "abca"], Resolver.resolve.cache_info().hits)
    print(slow_square.__wrapped__(9), slow_square.cache_parameters())
