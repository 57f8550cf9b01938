import logging
import re
from typing import Any, Callable, Dict, List, Optional

logger = logging.getLogger(__name__)


class ValidationError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field


class Field:
    """A data descriptor that validates on assignment."""

    def __init__(self, *, default: Any = None, validators: Optional[List[Callable[[Any], None]]] = None):
        self.default = default
        self.validators = validators or []
        self.name = None

    def __set_name__(self, owner, name):
        self.name = name
        self.private_name = "_" + name

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        return getattr(obj, self.private_name, self.default)

    def __set__(self, obj, value):
        for validator in self.validators:
            try:
                validator(value)
            except ValueError as exc:
                raise ValidationError(self.name, str(exc)) from None
        setattr(obj, self.private_name, value)


def min_length(n: int):
    def check(value):
        if len(value) < n:
            raise ValueError(f"must be at least {n} characters")
    return check


def matches(pattern: str):
    compiled = re.compile(pattern)

    def check(value):
        if not compiled.fullmatch(value):
            raise ValueError(f"does not match {pattern!r}")
    return check


def in_range(lo: float, hi: float):
    def check(value):
        if not lo <= value <= hi:
            raise ValueError(f"must be between {lo} and {hi}")
    return check


class SignupForm:
    _security_signature = "modulo_autopoiesis_data_signup_form"
    _generated_in_sandbox = True

    username = Field(validators=[min_length(3), matches(r"[a-z0-9_]+")])
    email = Field(validators=[matches(r"[^@\s]+@[^@\s]+\.[a-z]{2,}")])
    age = Field(default=18, validators=[in_range(13, 120)])

    def __init__(self):
        self.errors: Dict[str, str] = {}

    def load(self, data: Dict[str, Any]) -> bool:
        self.errors.clear()
        for name in ("username", "email", "age"):
            if name not in data:
                continue
            try:
                setattr(self, name, data[name])
            except ValidationError as exc:
                self.errors[exc.field] = str(exc)
        return not self.errors

    def run(self):
        for payload in [
            {"username": "ada_l", "email": "ada@example.com", "age": 36},
            {"username": "A!", "email": "not-an-email", "age": 7},
            {"username": "grace"},
        ]:
            ok = self.load(payload)
            print(f"valid={ok} username={self.username!r} age={self.age} errors={self.errors}")
        print(type(self).username.name, SignupForm.__dict__["email"].private_name)
