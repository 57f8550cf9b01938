import logging
from dataclasses import dataclass, field
from typing import Any, List, Optional, Sequence, Tuple

logger = logging.getLogger(__name__)


def quote_identifier(name: str) -> str:
    if not all(part.isidentifier() for part in name.split(".")):
        raise ValueError(f"unsafe identifier: {name!r}")
    return ".".join(f'"{part}"' for part in name.split("."))


@dataclass
class Query:
    table: str
    columns: List[str] = field(default_factory=lambda: ["*"])
    conditions: List[Tuple[str, str, Any]] = field(default_factory=list)
    order: List[Tuple[str, bool]] = field(default_factory=list)
    limit_value: Optional[int] = None

    def select(self, *columns: str) -> "Query":
        self.columns = list(columns)
        return self

    def where(self, column: str, op: str, value: Any) -> "Query":
        if op not in {"=", "!=", "<", "<=", ">", ">=", "LIKE", "IN"}:
            raise ValueError(f"unsupported operator {op}")
        self.conditions.append((column, op, value))
        return self

    def order_by(self, column: str, descending: bool = False) -> "Query":
        self.order.append((column, descending))
        return self

    def limit(self, n: int) -> "Query":
        self.limit_value = int(n)
        return self

    def build(self) -> Tuple[str, Sequence[Any]]:
        cols = ", ".join("*" if c == "*" else quote_identifier(c) for c in self.columns)
        sql = [f"SELECT {cols} FROM {quote_identifier(self.table)}"]
        params: List[Any] = []
        if self.conditions:
            clauses = []
            for column, op, value in self.conditions:
                if op == "IN":
                    placeholders = ", ".join("?" for _ in value)
                    clauses.append(f"{quote_identifier(column)} IN ({placeholders})")
                    params.extend(value)
                else:
                    clauses.append(f"{quote_identifier(column)} {op} ?")
                    params.append(value)
            sql.append("WHERE " + " AND ".join(clauses))
        if self.order:
            sql.append("ORDER BY " + ", ".join(f"{quote_identifier(c)} {'DESC' if d else 'ASC'}" for c, d in self.order))
        if self.limit_value is not None:
            sql.append(f"LIMIT {self.limit_value}")
        return " ".join(sql), tuple(params)


class QueryBuilderComponent:
    """Builds parameterised SQL.

    Values are never interpolated into the SQL text; they are returned as a
    separate parameter tuple, which is what prevents SQL injection (the same
    reason one should never build shell commands for ``os.system`` from user
    input).
    """

    _security_signature = "modulo_autopoiesis_data_query_builder_component"
    _generated_in_sandbox = True

    def __init__(self):
        self.queries: List[Query] = []

    def run(self):
        q = (Query("users").select("id", "name", "email").where("status", "=", "active")
             .where("age", ">=", 18).where("country", "IN", ["FR", "DE"]).order_by("name").limit(20))
        sql, params = q.build()
        print(sql)
        print(params)
        evil = Query("users").where("name", "=", "x'; DROP TABLE users; --")
        print(*evil.build(), sep="\n")
        for bad in (lambda: Query("users; DROP").build(), lambda: Query("t").where("a", "OR 1=1", 0)):
            try:
                bad()
            except ValueError as exc:
                logger.warning("Rejected query: %s", exc)
                print("rejected:", exc)
