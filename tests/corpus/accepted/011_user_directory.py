from dataclasses import dataclass, field, replace, asdict
from datetime import date
from typing import Dict, List, Optional


@dataclass(frozen=True)
class User:
    id: int
    name: str
    email: str
    role: str = "member"
    joined: date = field(default_factory=lambda: date(2024, 1, 1))
    tags: tuple = ()

    @property
    def domain(self) -> str:
        return self.email.split("@", 1)[1]


GREETING = "Welcome back, {user.name}! You are signed in as {user.role}."
SUMMARY = "{0.id:>4} | {0.name:<12} | {0.email}"


class UserDirectory:
    """In-memory user directory.

    Users are immutable; updates create new instances with
    ``dataclasses.replace`` so that previously handed-out references never
    change underneath the caller.
    """

    _security_signature = "modulo_autopoiesis_data_user_directory"
    _generated_in_sandbox = True

    def __init__(self):
        self._users: Dict[int, User] = {}

    def add(self, user: User) -> None:
        if user.id in self._users:
            raise ValueError(f"duplicate user id {user.id}")
        self._users[user.id] = user

    def promote(self, user_id: int, role: str = "admin") -> User:
        updated = replace(self._users[user_id], role=role)
        self._users[user_id] = updated
        return updated

    def find_by_domain(self, domain: str) -> List[User]:
        return [u for u in self._users.values() if u.domain == domain]

    def get(self, user_id: int) -> Optional[User]:
        return self._users.get(user_id)

    def run(self):
        self.add(User(1, "Alice", "alice@example.com", tags=("ops",)))
        self.add(User(2, "Bob", "bob@example.org"))
        self.add(User(3, "Carol", "carol@example.com", joined=date(2023, 6, 15)))
        admin = self.promote(1)
        print(GREETING.format(user=admin))
        for user in sorted(self._users.values(), key=lambda u: u.name):
            print(SUMMARY.format(user))
        print([u.name for u in self.find_by_domain("example.com")])
        print(asdict(self.get(3)))
        try:
            self.add(User(2, "Bobby", "bobby@example.org"))
        except ValueError as exc:
            print(f"Error: {exc}")
