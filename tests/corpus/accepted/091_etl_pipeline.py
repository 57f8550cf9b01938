import csv
import json
import logging
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Dict, Iterable, Iterator, List

logger = logging.getLogger(__name__)

SOURCE_ROWS = [
    "order_id,customer,amount,currency,created_at",
    "1001,ACME Corp,250.00,USD,2024-03-01T10:15:00",
    "1002,Globex,99.90,EUR,2024-03-01T11:02:00",
    "1003,,15.00,USD,2024-03-02T09:00:00",
    "1004,Initech,abc,USD,2024-03-02T12:30:00",
    "1005,Umbrella,1200.50,GBP,2024-03-03T16:45:00",
]

FX = {"USD": 1.0, "EUR": 1.09, "GBP": 1.27}


@dataclass
class Order:
    order_id: int
    customer: str
    amount_usd: float
    created_at: str


class RowRejected(ValueError):
    pass


class EtlPipeline:
    """Extract -> transform -> load, one generator per stage.

    Rejected rows are collected with their reason instead of aborting the
    whole batch. The "load" step writes JSON lines into memory; the host
    decides where to persist them.
    """

    _security_signature = "modulo_autopoiesis_data_etl_pipeline"
    _generated_in_sandbox = True

    def __init__(self):
        self.rejected: List[Dict[str, str]] = []
        self.output: List[str] = []

    def extract(self, lines: Iterable[str]) -> Iterator[Dict[str, str]]:
        yield from csv.DictReader(lines)

    def transform(self, rows: Iterable[Dict[str, str]]) -> Iterator[Order]:
        for row in rows:
            try:
                if not row["customer"]:
                    raise RowRejected("missing customer")
                try:
                    amount = float(row["amount"])
                except ValueError as exc:
                    raise RowRejected(f"bad amount {row['amount']!r}") from exc
                rate = FX[row["currency"]]
                created = datetime.fromisoformat(row["created_at"])
                yield Order(int(row["order_id"]), row["customer"].strip(), round(amount * rate, 2), created.date().isoformat())
            except RowRejected as exc:
                logger.info("Rejected row %s: %s", row.get("order_id"), exc)
                self.rejected.append({"order_id": row.get("order_id", "?"), "reason": str(exc)})

    def load(self, orders: Iterable[Order]) -> int:
        count = 0
        for order in orders:
            self.output.append(json.dumps(asdict(order), sort_keys=True))
            count += 1
        return count

    def run(self):
        loaded = self.load(self.transform(self.extract(SOURCE_ROWS)))
        print(f"loaded={loaded} rejected={len(self.rejected)}")
        for line in self.output:
            print(line)
        for item in self.rejected:
            print("rejected:", item)
