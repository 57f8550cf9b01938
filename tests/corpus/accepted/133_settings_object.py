import json
import logging
from typing import Any, Dict, Iterator, Optional

logger = logging.getLogger(__name__)


class FrozenSettingsError(AttributeError):
    pass


class Settings:
    """Attribute-style access to nested configuration.

    ``settings.database.host`` reads ``{"database": {"host": ...}}``. Values
    come from dictionaries supplied by the caller rather than from
    ``os.environ`` or from files, so the object is easy to test.
    """

    def __init__(self, data: Optional[Dict[str, Any]] = None, *, frozen: bool = False, path: str = "settings"):
        super().__setattr__("_data", {})
        super().__setattr__("_path", path)
        for key, value in (data or {}).items():
            self._data[key] = Settings(value, frozen=frozen, path=f"{path}.{key}") if isinstance(value, dict) else value
        super().__setattr__("_frozen", frozen)

    def __getattr__(self, name: str) -> Any:
        try:
            return self._data[name]
        except KeyError:
            raise AttributeError(f"{self._path} has no setting {name!r}") from None

    def __setattr__(self, name: str, value: Any) -> None:
        if self._frozen:
            raise FrozenSettingsError(f"cannot set {self._path}.{name}: settings are frozen")
        self._data[name] = value

    def __contains__(self, name: str) -> bool:
        return name in self._data

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def get(self, dotted: str, default: Any = None) -> Any:
        node: Any = self
        for part in dotted.split("."):
            if not isinstance(node, Settings) or part not in node:
                return default
            node = node._data[part]
        return node

    def to_dict(self) -> Dict[str, Any]:
        return {k: v.to_dict() if isinstance(v, Settings) else v for k, v in self._data.items()}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.to_dict()!r})"


class SettingsComponent:
    _security_signature = "modulo_autopoiesis_data_settings_component"
    _generated_in_sandbox = True

    def __init__(self):
        self.defaults = {"debug": False, "database": {"host": "localhost", "port": 5432, "pool": {"size": 5}}}

    def run(self):
        settings = Settings(self.defaults)
        settings.debug = True
        print(settings.database.host, settings.database.pool.size, settings.debug)
        print(settings.get("database.pool.size"), settings.get("database.user", "postgres"), "debug" in settings)
        print(hasattr(settings, "cache"), getattr(settings, "cache", None))
        try:
            settings.database.missing
        except AttributeError as exc:
            print("AttributeError:", exc)
        frozen = Settings(self.defaults, frozen=True)
        try:
            frozen.database.port = 1
        except FrozenSettingsError as exc:
            logger.info("blocked write: %s", exc)
            print("blocked:", exc)
        print(json.dumps(settings.to_dict()))
        print(list(settings), repr(frozen.database.pool))
