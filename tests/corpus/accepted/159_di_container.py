import logging
from dataclasses import dataclass
from enum import Enum
from typing import Any, Callable, Dict, List, Optional, Type, TypeVar

T = TypeVar("T")

logger = logging.getLogger(__name__)


class Scope(Enum):
    SINGLETON = "singleton"
    TRANSIENT = "transient"


@dataclass
class Provider:
    factory: Callable[["Container"], Any]
    scope: Scope
    instance: Optional[Any] = None


class ResolutionError(LookupError):
    pass


class Container:
    def __init__(self):
        self._providers: Dict[type, Provider] = {}
        self._resolving: List[type] = []

    def register(self, interface: Type[T], factory: Callable[["Container"], T], scope: Scope = Scope.TRANSIENT) -> None:
        self._providers[interface] = Provider(factory, scope)

    def resolve(self, interface: Type[T]) -> T:
        provider = self._providers.get(interface)
        if provider is None:
            raise ResolutionError(f"no provider for {interface.__name__}")
        if interface in self._resolving:
            chain = " -> ".join(t.__name__ for t in self._resolving + [interface])
            raise ResolutionError(f"circular dependency: {chain}")
        if provider.scope is Scope.SINGLETON and provider.instance is not None:
            return provider.instance
        self._resolving.append(interface)
        try:
            instance = provider.factory(self)
        finally:
            self._resolving.pop()
        if provider.scope is Scope.SINGLETON:
            provider.instance = instance
        logger.debug("resolved %s -> %s", interface.__name__, type(instance).__name__)
        return instance


class Clock:
    def now(self) -> str:
        return "2024-01-01T00:00:00Z"


class Repository:
    def __init__(self, clock: Clock):
        self.clock = clock
        self.rows: List[Dict[str, str]] = []

    def save(self, name: str) -> Dict[str, str]:
        row = {"name": name, "saved_at": self.clock.now()}
        self.rows.append(row)
        return row


class UserService:
    def __init__(self, repo: Repository):
        self.repo = repo

    def register(self, name: str) -> Dict[str, str]:
        return self.repo.save(name.strip().title())


class DependencyInjectionDemo:
    _security_signature = "modulo_autopoiesis_data_dependency_injection_demo"
    _generated_in_sandbox = True

    def __init__(self):
        self.container = Container()
        self.container.register(Clock, lambda c: Clock(), Scope.SINGLETON)
        self.container.register(Repository, lambda c: Repository(c.resolve(Clock)), Scope.SINGLETON)
        self.container.register(UserService, lambda c: UserService(c.resolve(Repository)))

    def run(self):
        first = self.container.resolve(UserService)
        second = self.container.resolve(UserService)
        print(first.register("  ada lovelace "), second.register("alan turing"))
        print("services distinct:", first is not second, "| repo shared:", first.repo is second.repo)
        print("rows:", len(self.container.resolve(Repository).rows), type(first.repo.clock).__name__)

        class A: ...
        class B: ...
        self.container.register(A, lambda c: c.resolve(B))
        self.container.register(B, lambda c: c.resolve(A))
        for target in (A, float):
            try:
                self.container.resolve(target)
            except ResolutionError as exc:
                print("error:", exc)
