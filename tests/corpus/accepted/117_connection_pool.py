import itertools
import logging
from collections import deque
from contextlib import contextmanager
from typing import Deque, Iterator, List, Set

logger = logging.getLogger(__name__)


class PoolExhausted(RuntimeError):
    pass


class Connection:
    _ids = itertools.count(1)

    def __init__(self, dsn: str):
        self.id = next(self._ids)
        self.dsn = dsn
        self.healthy = True
        self.queries = 0

    def execute(self, sql: str) -> str:
        if not self.healthy:
            raise ConnectionError(f"connection {self.id} is broken")
        self.queries += 1
        return f"conn#{self.id} ran {sql!r}"

    def __repr__(self) -> str:
        return f"<Connection id={self.id} queries={self.queries} healthy={self.healthy}>"


class ConnectionPool:
    """Fixed-size connection pool with health checks on release."""

    _security_signature = "modulo_autopoiesis_data_connection_pool"
    _generated_in_sandbox = True

    def __init__(self):
        self.dsn = "memory://demo"
        self.max_size = 2
        self._idle: Deque[Connection] = deque()
        self._busy: Set[int] = set()
        self.created: List[Connection] = []

    def _create(self) -> Connection:
        conn = Connection(self.dsn)
        self.created.append(conn)
        logger.info("Created connection %d", conn.id)
        return conn

    def acquire(self) -> Connection:
        if self._idle:
            conn = self._idle.popleft()
        elif len(self._busy) < self.max_size:
            conn = self._create()
        else:
            raise PoolExhausted(f"all {self.max_size} connections are busy")
        self._busy.add(conn.id)
        return conn

    def release(self, conn: Connection) -> None:
        self._busy.discard(conn.id)
        if conn.healthy:
            self._idle.append(conn)
        else:
            logger.warning("Discarding broken connection %d", conn.id)

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        conn = self.acquire()
        try:
            yield conn
        except ConnectionError:
            conn.healthy = False
            raise
        finally:
            self.release(conn)

    def run(self):
        with self.connection() as c:
            print(c.execute("SELECT 1"))
        with self.connection() as a, self.connection() as b:
            print(a.execute("SELECT 2"), "|", b.execute("SELECT 3"))
            try:
                with self.connection():
                    pass
            except PoolExhausted as exc:
                print("exhausted:", exc)
        try:
            with self.connection() as c:
                c.healthy = False
                c.execute("SELECT 4")
        except ConnectionError as exc:
            print("error:", exc)
        with self.connection() as c:
            print(c.execute("SELECT 5"))
        print("created:", self.created, "idle:", len(self._idle))
