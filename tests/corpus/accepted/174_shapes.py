import math
from abc import ABC, abstractmethod
from functools import total_ordering


@total_ordering
class Shape(ABC):
    """Abstract base class for 2-D shapes, ordered by area."""

    @property
    @abstractmethod
    def area(self) -> float:
        ...

    @property
    @abstractmethod
    def perimeter(self) -> float:
        ...

    def __eq__(self, other):
        if not isinstance(other, Shape):
            return NotImplemented
        return math.isclose(self.area, other.area)

    def __lt__(self, other):
        if not isinstance(other, Shape):
            return NotImplemented
        return self.area < other.area

    def __hash__(self):
        return hash(round(self.area, 9))

    def __str__(self):
        return f"{type(self).__name__}(area={self.area:.2f}, perimeter={self.perimeter:.2f})"


class Circle(Shape):
    def __init__(self, radius: float):
        self.radius = radius

    @property
    def area(self) -> float:
        return math.pi * self.radius ** 2

    @property
    def perimeter(self) -> float:
        return 2 * math.pi * self.radius


class Rectangle(Shape):
    def __init__(self, width: float, height: float):
        self.width, self.height = width, height

    @property
    def area(self) -> float:
        return self.width * self.height

    @property
    def perimeter(self) -> float:
        return 2 * (self.width + self.height)


class Square(Rectangle):
    def __init__(self, side: float):
        super().__init__(side, side)


class Triangle(Shape):
    def __init__(self, a: float, b: float, c: float):
        if a + b <= c or a + c <= b or b + c <= a:
            raise ValueError("sides do not form a triangle")
        self.a, self.b, self.c = a, b, c

    @property
    def perimeter(self) -> float:
        return self.a + self.b + self.c

    @property
    def area(self) -> float:
        s = self.perimeter / 2
        return math.sqrt(s * (s - self.a) * (s - self.b) * (s - self.c))


if __name__ == "__main__":
    shapes = [Circle(1), Rectangle(2, 3), Square(2), Triangle(3, 4, 5), Rectangle(4, 1)]
    for shape in sorted(shapes):
        print(shape)
    print(Square(2) == Rectangle(4, 1), max(shapes), isinstance(Square(1), Rectangle))
    try:
        Shape()
    except TypeError as exc:
        print("TypeError:", str(exc).split(" with")[0])
    try:
        Triangle(1, 2, 10)
    except ValueError as exc:
        print(exc)
