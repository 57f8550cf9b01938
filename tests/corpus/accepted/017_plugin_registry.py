import logging
from abc import ABC, abstractmethod
from typing import Callable, Dict, List, Type

logger = logging.getLogger(__name__)


class Plugin(ABC):
    """Base class for all plugins.

    Subclasses must implement :meth:`execute`. Plugins are discovered by
    registration rather than by ``__import__(name)`` or scanning modules,
    which keeps the set of loaded code explicit.
    """

    name: str = "base"
    priority: int = 100

    @abstractmethod
    def execute(self, data: str) -> str:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{self.__class__.__name__} name={self.name!r} priority={self.priority}>"


_REGISTRY: Dict[str, Type[Plugin]] = {}


def register(cls: Type[Plugin]) -> Type[Plugin]:
    if not issubclass(cls, Plugin):
        raise TypeError(f"{cls.__name__} is not a Plugin")
    _REGISTRY[cls.name] = cls
    logger.info("Registered plugin %s", cls.name)
    return cls


@register
class UpperPlugin(Plugin):
    name = "upper"
    priority = 10

    def execute(self, data: str) -> str:
        return data.upper()


@register
class ReversePlugin(Plugin):
    name = "reverse"
    priority = 20

    def execute(self, data: str) -> str:
        return data[::-1]


@register
class TrimPlugin(Plugin):
    name = "trim"
    priority = 1

    def execute(self, data: str) -> str:
        return data.strip()


class PluginManager:
    _security_signature = "modulo_autopoiesis_data_plugin_manager"
    _generated_in_sandbox = True

    def __init__(self):
        self.plugins: List[Plugin] = sorted((cls() for cls in _REGISTRY.values()), key=lambda p: p.priority)

    @classmethod
    def available(cls) -> List[str]:
        return sorted(_REGISTRY)

    @staticmethod
    def compose(functions: List[Callable[[str], str]]) -> Callable[[str], str]:
        def pipeline(value: str) -> str:
            for fn in functions:
                value = fn(value)
            return value
        return pipeline

    def run(self):
        print("Available:", self.available())
        print("Loaded:", self.plugins)
        pipeline = self.compose([p.execute for p in self.plugins])
        print(repr(pipeline("   hello plugins   ")))
        try:
            Plugin()
        except TypeError as exc:
            print(f"Cannot instantiate abstract base: {exc}")
