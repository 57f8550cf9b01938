from functools import reduce, wraps
from itertools import starmap, takewhile, dropwhile, filterfalse
from operator import add, mul, itemgetter
from typing import Any, Callable


def compose(*functions: Callable) -> Callable:
    """compose(f, g, h)(x) == f(g(h(x)))"""
    return reduce(lambda f, g: lambda *a, **kw: f(g(*a, **kw)), functions)


def pipe(value: Any, *functions: Callable) -> Any:
    for func in functions:
        value = func(value)
    return value


def curry(func: Callable, arity: int) -> Callable:
    @wraps(func)
    def curried(*args):
        if len(args) >= arity:
            return func(*args[:arity])
        return lambda *more: curried(*args, *more)
    return curried


def memoize(func):
    cache = {}

    @wraps(func)
    def wrapper(*args):
        if args not in cache:
            cache[args] = func(*args)
        return cache[args]

    wrapper.cache = cache
    return wrapper


@memoize
def ways_to_climb(n: int) -> int:
    return 1 if n <= 1 else ways_to_climb(n - 1) + ways_to_climb(n - 2)


if __name__ == "__main__":
    inc = lambda x: x + 1
    dbl = lambda x: x * 2
    print(compose(inc, dbl)(5), compose(dbl, inc)(5), pipe(5, inc, dbl, str))
    volume = curry(lambda l, w, h: l * w * h, 3)
    print(volume(2)(3)(4), volume(2, 3)(4), volume(2, 3, 4))
    print(list(starmap(pow, [(2, 5), (3, 2), (10, 3)])), reduce(mul, range(1, 6)), reduce(add, "abc"))
    nums = [1, 3, 5, 6, 7, 9]
    print(list(takewhile(lambda n: n % 2, nums)), list(dropwhile(lambda n: n % 2, nums)), list(filterfalse(lambda n: n % 3, nums)))
    print(ways_to_climb(30), len(ways_to_climb.cache))
    pairs = [("b", 2), ("a", 3), ("c", 1)]
    print(sorted(pairs, key=itemgetter(1)), max(pairs, key=itemgetter(1))[0])
