import functools
import logging
from dataclasses import dataclass, field
from enum import Flag, auto
from typing import Callable, Dict, List, Set

logger = logging.getLogger(__name__)


class Perm(Flag):
    NONE = 0
    READ = auto()
    WRITE = auto()
    DELETE = auto()
    ADMIN = auto()
    EDITOR = READ | WRITE
    OWNER = READ | WRITE | DELETE | ADMIN


ROLES: Dict[str, Perm] = {"viewer": Perm.READ, "editor": Perm.EDITOR, "owner": Perm.OWNER}


class AccessDenied(PermissionError):
    def __init__(self, user: str, needed: Perm):
        super().__init__(f"{user} lacks {needed}")
        self.user = user
        self.needed = needed


@dataclass
class Principal:
    name: str
    roles: Set[str] = field(default_factory=set)

    @property
    def permissions(self) -> Perm:
        perms = Perm.NONE
        for role in self.roles:
            perms |= ROLES.get(role, Perm.NONE)
        return perms


def requires(needed: Perm) -> Callable:
    def decorator(method):
        @functools.wraps(method)
        def wrapper(self, principal: Principal, *args, **kwargs):
            if needed not in principal.permissions:
                logger.warning("Denied %s on %s for %s", method.__name__, needed, principal.name)
                raise AccessDenied(principal.name, needed)
            return method(self, principal, *args, **kwargs)
        wrapper.required_permission = needed
        return wrapper
    return decorator


class DocumentService:
    """Role-based access control around a tiny document store."""

    _security_signature = "modulo_autopoiesis_data_document_service"
    _generated_in_sandbox = True

    def __init__(self):
        self.docs: Dict[str, str] = {"handbook": "Be kind."}
        self.audit: List[str] = []

    @requires(Perm.READ)
    def read(self, principal: Principal, name: str) -> str:
        return self.docs[name]

    @requires(Perm.WRITE)
    def write(self, principal: Principal, name: str, text: str) -> None:
        self.docs[name] = text

    @requires(Perm.DELETE)
    def delete(self, principal: Principal, name: str) -> None:
        del self.docs[name]

    def run(self):
        users = [Principal("val", {"viewer"}), Principal("eli", {"editor"}), Principal("ona", {"owner"})]
        for user in users:
            for action, args in (("read", ("handbook",)), ("write", ("notes", f"by {user.name}")), ("delete", ("notes",))):
                try:
                    result = {"read": self.read, "write": self.write, "delete": self.delete}[action](user, *args)
                    self.audit.append(f"{user.name}:{action}:ok")
                except AccessDenied as exc:
                    self.audit.append(f"{user.name}:{action}:denied")
                except KeyError:
                    self.audit.append(f"{user.name}:{action}:missing")
            print(f"{user.name} perms={user.permissions}")
        print("\n".join(self.audit))
        print("delete needs:", self.delete.required_permission, "| wrapped:", self.delete.__name__)
