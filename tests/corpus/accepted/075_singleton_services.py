import logging
from typing import Any, Dict

logger = logging.getLogger(__name__)


class SingletonMeta(type):
    """Metaclass that returns one shared instance per class."""

    _instances: Dict[type, Any] = {}

    def __call__(cls, *args, **kwargs):
        if cls not in cls._instances:
            instance = super().__call__(*args, **kwargs)
            cls._instances[cls] = instance
            logger.debug("Created singleton %s", cls.__name__)
        return cls._instances[cls]


class ConfigService(metaclass=SingletonMeta):
    def __init__(self):
        self.settings: Dict[str, Any] = {"theme": "dark"}

    def set(self, key: str, value: Any) -> None:
        self.settings[key] = value


class ConnectionPool(metaclass=SingletonMeta):
    def __init__(self, size: int = 5):
        self.size = size
        self.in_use = 0

    def acquire(self) -> int:
        if self.in_use >= self.size:
            raise RuntimeError("pool exhausted")
        self.in_use += 1
        return self.in_use


class Borg:
    """The Borg pattern: instances share state instead of identity."""

    _shared_state: Dict[str, Any] = {}

    def __init__(self):
        self.__dict__ = self._shared_state


class ServiceLocator:
    _security_signature = "modulo_autopoiesis_data_service_locator"
    _generated_in_sandbox = True

    def __init__(self):
        self.config = ConfigService()
        self.pool = ConnectionPool(size=2)

    def run(self):
        ConfigService().set("language", "en")
        print("same config:", ConfigService() is self.config, self.config.settings)
        print("pool size ignored on second call:", ConnectionPool(size=100).size)
        for _ in range(3):
            try:
                print("acquired connection", self.pool.acquire())
            except RuntimeError as exc:
                print("error:", exc)
        a, b = Borg(), Borg()
        a.colour = "blue"
        print("borg shared:", b.colour, a is b, type(ConfigService).__name__)
        print("singletons:", sorted(cls.__name__ for cls in SingletonMeta._instances))
