import json
from dataclasses import asdict, dataclass, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from functools import singledispatch
from uuid import UUID


@singledispatch
def to_serializable(obj):
    """Convert ``obj`` to something :func:`json.dumps` understands."""
    if is_dataclass(obj):
        return asdict(obj)
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    raise TypeError(f"Object of type {obj.__class__.__name__} is not JSON serializable")


@to_serializable.register
def _(obj: datetime):
    return obj.isoformat()


@to_serializable.register
def _(obj: date):
    return obj.isoformat()


@to_serializable.register
def _(obj: Decimal):
    return str(obj)


@to_serializable.register
def _(obj: UUID):
    return str(obj)


@to_serializable.register
def _(obj: Enum):
    return obj.value


@to_serializable.register(set)
@to_serializable.register(frozenset)
def _(obj):
    return sorted(obj)


class Color(Enum):
    RED = "red"
    GREEN = "green"


@dataclass
class Point:
    x: float
    y: float


class Report:
    def __init__(self, title):
        self.title = title

    def to_dict(self):
        return {"title": self.title}


if __name__ == "__main__":
    payload = {
        "when": datetime(2024, 2, 29, 13, 45),
        "day": date(2024, 3, 1),
        "price": Decimal("12.50"),
        "id": UUID("12345678-1234-5678-1234-567812345678"),
        "color": Color.GREEN,
        "tags": {"b", "a", "c"},
        "origin": Point(0.0, 1.5),
        "report": Report("Q1"),
    }
    print(json.dumps(payload, default=to_serializable, indent=2))
    try:
        json.dumps({"bad": object()}, default=to_serializable)
    except TypeError as exc:
        print("TypeError:", exc)
