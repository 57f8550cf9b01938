from dataclasses import InitVar, asdict, astuple, dataclass, field, fields, replace
from typing import ClassVar, List, Optional


@dataclass(frozen=True, slots=True)
class Coordinate:
    lat: float
    lon: float

    def __str__(self) -> str:
        ns = "N" if self.lat >= 0 else "S"
        ew = "E" if self.lon >= 0 else "W"
        return f"{abs(self.lat):.4f}°{ns} {abs(self.lon):.4f}°{ew}"


@dataclass(kw_only=True)
class Account:
    username: str
    email: str
    password: InitVar[Optional[str]] = None
    password_hash: str = field(default="", repr=False)
    roles: List[str] = field(default_factory=lambda: ["user"])
    login_count: int = field(default=0, compare=False)
    MAX_ROLES: ClassVar[int] = 5

    def __post_init__(self, password: Optional[str]) -> None:
        if password:
            self.password_hash = f"sha256:{len(password)}"
        if len(self.roles) > self.MAX_ROLES:
            raise ValueError("too many roles")


@dataclass(order=True)
class Task:
    sort_index: int = field(init=False, repr=False)
    title: str
    priority: int = 3

    def __post_init__(self):
        self.sort_index = self.priority


if __name__ == "__main__":
    here = Coordinate(48.8584, 2.2945)
    print(here, hash(here) == hash(Coordinate(48.8584, 2.2945)), astuple(here))
    try:
        here.lat = 0
    except AttributeError as exc:
        print("frozen:", type(exc).__name__)
    acct = Account(username="ada", email="ada@example.com", password="hunter2")
    print(acct)
    print(asdict(acct))
    print(acct == replace(acct, login_count=10), [f.name for f in fields(Account)])
    tasks = sorted([Task("write docs", 2), Task("fix bug", 1), Task("refactor")])
    print([t.title for t in tasks])
    print(hasattr(Coordinate, "__slots__"), Coordinate.__slots__)
