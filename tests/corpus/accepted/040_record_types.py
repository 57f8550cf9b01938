from collections import namedtuple
from typing import NamedTuple, Optional

Point = namedtuple("Point", ["x", "y"])
Point3D = namedtuple("Point3D", "x y z", defaults=[0.0])


class Employee(NamedTuple):
    """An employee record."""

    name: str
    department: str
    salary: float
    manager: Optional[str] = None

    def with_raise(self, percent: float) -> "Employee":
        return self._replace(salary=round(self.salary * (1 + percent / 100), 2))

    def __str__(self) -> str:
        return f"{self.name} ({self.department}) earns {self.salary:,.2f}"


def distance(a: Point, b: Point) -> float:
    return ((a.x - b.x) ** 2 + (a.y - b.y) ** 2) ** 0.5


if __name__ == "__main__":
    p, q = Point(0, 0), Point(3, 4)
    print(p, q, distance(p, q))
    print(Point3D(1, 2), Point3D._fields, Point3D._field_defaults)
    print(Point._make([5, 6])._asdict())
    staff = [
        Employee("Ann", "eng", 120000),
        Employee("Raj", "eng", 105000, manager="Ann"),
        Employee("Liu", "sales", 90000),
    ]
    for e in staff:
        print(e)
    print(staff[1].with_raise(5))
    x, y = q
    print("unpacked:", x, y, "| index:", staff[2][0])
    print(max(staff, key=lambda e: e.salary).name)
