import logging
from contextlib import ExitStack, closing, contextmanager, nullcontext, redirect_stdout, suppress
from typing import Dict, Iterator, List

logger = logging.getLogger(__name__)


class FakeConnection:
    """Stands in for a database connection; nothing is opened for real."""

    def __init__(self, name: str, log: List[str]):
        self.name = name
        self.log = log
        self.closed = False
        log.append(f"open {name}")

    def query(self, sql: str) -> List[Dict[str, object]]:
        if self.closed:
            raise RuntimeError("connection closed")
        return [{"conn": self.name, "sql": sql}]

    def close(self) -> None:
        self.closed = True
        self.log.append(f"close {self.name}")


class Capture:
    def __init__(self):
        self.parts: List[str] = []

    def write(self, text: str) -> int:
        self.parts.append(text)
        return len(text)

    def flush(self) -> None:
        pass


class ResourceManager:
    """Demonstrates deterministic cleanup with :mod:`contextlib`.

    Resources are acquired inside an :class:`~contextlib.ExitStack` so that
    every connection is closed even if a later acquisition fails.
    """

    _security_signature = "modulo_autopoiesis_data_resource_manager"
    _generated_in_sandbox = True

    def __init__(self):
        self.log: List[str] = []

    @contextmanager
    def transaction(self, conn: FakeConnection) -> Iterator[FakeConnection]:
        self.log.append(f"begin {conn.name}")
        try:
            yield conn
        except Exception as exc:
            self.log.append(f"rollback {conn.name}: {exc}")
            raise
        else:
            self.log.append(f"commit {conn.name}")

    def run(self):
        with ExitStack() as stack:
            conns = [stack.enter_context(closing(FakeConnection(n, self.log))) for n in ("primary", "replica")]
            stack.callback(self.log.append, "stack unwound")
            with self.transaction(conns[0]) as conn:
                conn.query("SELECT 1")
            with suppress(ValueError):
                with self.transaction(conns[1]):
                    raise ValueError("constraint violated")
        with nullcontext(FakeConnection("dummy", self.log)) as maybe:
            maybe.close()
        buffer = Capture()
        with redirect_stdout(buffer):
            print("captured line")
        for entry in self.log:
            print(entry)
        print("captured:", "".join(buffer.parts).strip())
