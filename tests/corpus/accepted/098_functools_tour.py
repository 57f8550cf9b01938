import functools
from functools import cmp_to_key, partialmethod, reduce, singledispatchmethod, update_wrapper


class Cell:
    def __init__(self):
        self._alive = False

    def set_state(self, state: bool) -> None:
        self._alive = state

    set_alive = partialmethod(set_state, True)
    set_dead = partialmethod(set_state, False)

    @property
    def alive(self) -> bool:
        return self._alive


class Formatter:
    @singledispatchmethod
    def format(self, value):
        return f"<{type(value).__name__}>"

    @format.register
    def _(self, value: int):
        return f"int:{value:,}"

    @format.register
    def _(self, value: float):
        return f"float:{value:.3f}"

    @format.register
    def _(self, value: list):
        return "[" + ", ".join(self.format(v) for v in value) + "]"


class CountCalls:
    def __init__(self, func):
        update_wrapper(self, func)
        self.func = func
        self.calls = 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        return self.func(*args, **kwargs)


@CountCalls
def greet(name):
    """Return a greeting."""
    return f"hello {name}"


def compare_versions(a: str, b: str) -> int:
    pa, pb = [int(x) for x in a.split(".")], [int(x) for x in b.split(".")]
    return (pa > pb) - (pa < pb)


if __name__ == "__main__":
    c = Cell()
    c.set_alive()
    print("alive:", c.alive)
    c.set_dead()
    print("alive:", c.alive)
    f = Formatter()
    print(f.format(1234567), f.format(3.14159), f.format([1, 2.5, "x"]))
    print(greet("ada"), greet("bob"), greet.calls, greet.__name__, greet.__doc__)
    print(sorted(["1.10.0", "1.2.0", "1.9.3", "0.99"], key=cmp_to_key(compare_versions)))
    print(reduce(lambda acc, d: {**acc, **d}, [{"a": 1}, {"b": 2}, {"a": 3}], {}))
    pow2 = functools.partial(pow, 2)
    print([pow2(n) for n in range(6)], pow2.func.__name__, pow2.args)
