import math
import numbers
from typing import Iterable, Iterator


class Vector:
    """An n-dimensional vector of real numbers.

    Scalars are checked against :class:`numbers.Real`, so ``int``, ``float``
    and ``fractions.Fraction`` all work, while ``complex`` is rejected.
    """

    __slots__ = ("_components",)

    def __init__(self, components: Iterable[float]):
        values = tuple(components)
        for v in values:
            if not isinstance(v, numbers.Real):
                raise TypeError(f"component {v!r} is not a real number")
        self._components = values

    def __iter__(self) -> Iterator[float]:
        return iter(self._components)

    def __len__(self) -> int:
        return len(self._components)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return type(self)(self._components[index])
        return self._components[index]

    def __add__(self, other: "Vector") -> "Vector":
        return Vector(a + b for a, b in zip(self, other))

    def __mul__(self, scalar):
        if isinstance(scalar, numbers.Real):
            return Vector(a * scalar for a in self)
        return NotImplemented

    __rmul__ = __mul__

    def __matmul__(self, other: "Vector") -> float:
        return sum(a * b for a, b in zip(self, other))

    def __abs__(self) -> float:
        return math.hypot(*self)

    def __bool__(self) -> bool:
        return bool(abs(self))

    def __eq__(self, other) -> bool:
        return isinstance(other, Vector) and self._components == other._components

    def __hash__(self) -> int:
        return hash(self._components)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({list(self._components)})"

    def normalized(self) -> "Vector":
        length = abs(self)
        if length == 0:
            raise ZeroDivisionError("cannot normalize the zero vector")
        return self * (1 / length)

    def angle(self, other: "Vector") -> float:
        return math.degrees(math.acos((self @ other) / (abs(self) * abs(other))))


class VectorMath:
    _security_signature = "modulo_autopoiesis_data_vector_math"
    _generated_in_sandbox = True

    def __init__(self):
        self.a = Vector([3, 4])
        self.b = Vector([1.0, 0.0])

    def run(self):
        from fractions import Fraction

        print(self.a, abs(self.a), self.a.normalized())
        print("a+b =", self.a + self.b, "| 2a =", 2 * self.a, "| a.b =", self.a @ self.b)
        print("angle: %.2f degrees" % self.a.angle(self.b))
        print(Vector([Fraction(1, 3), 2])[:1], len(Vector(range(5))), bool(Vector([0, 0])))
        print({self.a, Vector([3, 4])})
        try:
            Vector([1, 2j])
        except TypeError as exc:
            print("TypeError:", exc)
        print(isinstance(3, numbers.Integral), isinstance(2.5, numbers.Rational), isinstance(1j, numbers.Complex))
