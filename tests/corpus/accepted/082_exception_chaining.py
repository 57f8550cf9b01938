import logging
import traceback

logger = logging.getLogger(__name__)


class AppError(Exception):
    """Base class for application errors."""

    code = "app_error"

    def __init__(self, message: str, *, details: dict = None):
        super().__init__(message)
        self.details = details or {}

    def to_dict(self) -> dict:
        return {"code": self.code, "message": str(self), "details": self.details}


class ConfigError(AppError):
    code = "config_error"


class StorageError(AppError):
    code = "storage_error"


def parse_port(value: str) -> int:
    try:
        port = int(value)
    except ValueError as exc:
        raise ConfigError(f"port must be an integer, got {value!r}", details={"value": value}) from exc
    if not 0 < port < 65536:
        raise ConfigError(f"port out of range: {port}")
    return port


def save(record: dict, store: dict) -> None:
    try:
        store[record["id"]] = record
    except KeyError:
        raise StorageError("record has no id")


def format_error(exc: BaseException) -> str:
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))


if __name__ == "__main__":
    for raw in ("8080", "http", "70000"):
        try:
            print("port:", parse_port(raw))
        except ConfigError as err:
            cause = err.__cause__
            print(err.to_dict(), "caused by", type(cause).__name__ if cause else None)
    try:
        save({"name": "x"}, {})
    except StorageError as err:
        print(err.code, "| context:", repr(err.__context__), "| suppressed:", err.__suppress_context__)
        text = format_error(err)
        print(text.strip().splitlines()[-1])
    try:
        raise ExceptionGroup("batch failed", [ValueError("bad row 3"), TypeError("bad row 7")])
    except* ValueError as group:
        print("value errors:", [str(e) for e in group.exceptions])
    except* TypeError as group:
        print("type errors:", [str(e) for e in group.exceptions])
    try:
        parse_port("-1")
    except AppError:
        logger.error("Failed to parse port", exc_info=True)
        print(traceback.format_exc().splitlines()[0])
