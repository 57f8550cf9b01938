from typing import (Any, Callable, Dict, Final, Iterable, List, Literal, Optional, Tuple,
                    TypedDict, TypeVar, Union, cast, overload)

T = TypeVar("T")
Number = Union[int, float]

MAX_RETRIES: Final = 3
LogLevel = Literal["debug", "info", "warning", "error"]


class ServerConfig(TypedDict):
    host: str
    port: int
    tls: bool


class AppSettings(TypedDict, total=False):
    name: str
    debug: bool
    servers: List[ServerConfig]
    log_level: LogLevel


@overload
def first(items: List[T]) -> Optional[T]: ...
@overload
def first(items: str) -> Optional[str]: ...
def first(items):
    return items[0] if items else None


def apply_all(funcs: Iterable[Callable[[Number], Number]], value: Number) -> List[Number]:
    return [f(value) for f in funcs]


def parse_settings(raw: Dict[str, Any]) -> AppSettings:
    settings: AppSettings = {"name": str(raw.get("name", "app"))}
    if "debug" in raw:
        settings["debug"] = bool(raw["debug"])
    servers = [cast(ServerConfig, {"host": s["host"], "port": int(s["port"]), "tls": bool(s.get("tls"))}) for s in raw.get("servers", [])]
    if servers:
        settings["servers"] = servers
    level = raw.get("log_level", "info")
    if level in ("debug", "info", "warning", "error"):
        settings["log_level"] = level
    return settings


def split_pair(text: str, sep: str = "=") -> Tuple[str, Optional[str]]:
    key, found, value = text.partition(sep)
    return key, (value if found else None)


if __name__ == "__main__":
    cfg = parse_settings({"name": "api", "debug": 1, "servers": [{"host": "a.local", "port": "443", "tls": True}], "log_level": "verbose"})
    print(cfg)
    print(first([3, 2, 1]), first(""), first("xyz"))
    print(apply_all([lambda x: x * 2, abs, float], -4))
    print(split_pair("a=b"), split_pair("flag"), MAX_RETRIES)
    print(ServerConfig.__required_keys__, sorted(AppSettings.__optional_keys__))
