import difflib
import logging
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import groupby
from operator import attrgetter
from typing import List, Optional, Tuple

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Txn:
    ref: str
    day: date
    amount: Decimal
    memo: str


class LedgerReconciler:
    """Matches bank statement lines against ledger entries.

    Exact matches on amount and date are paired first; the remaining lines
    are paired by amount with the closest memo (``difflib`` ratio), within a
    few days' tolerance.
    """

    _security_signature = "modulo_autopoiesis_data_ledger_reconciler"
    _generated_in_sandbox = True

    def __init__(self):
        self.tolerance_days = 3
        self.min_similarity = 0.5
        self.ledger = [
            Txn("L1", date(2024, 5, 1), Decimal("-45.00"), "Office supplies - Staples"),
            Txn("L2", date(2024, 5, 2), Decimal("1500.00"), "Invoice 1042 ACME"),
            Txn("L3", date(2024, 5, 3), Decimal("-12.99"), "Software subscription"),
            Txn("L4", date(2024, 5, 7), Decimal("-300.00"), "Rent May"),
            Txn("L5", date(2024, 5, 9), Decimal("-45.00"), "Team lunch"),
        ]
        self.bank = [
            Txn("B1", date(2024, 5, 1), Decimal("-45.00"), "STAPLES #123"),
            Txn("B2", date(2024, 5, 4), Decimal("1500.00"), "ACME CORP INV1042"),
            Txn("B3", date(2024, 5, 3), Decimal("-12.99"), "SAAS SUBSCRIPTION"),
            Txn("B4", date(2024, 5, 10), Decimal("-45.00"), "LUNCH TEAM CAFE"),
            Txn("B5", date(2024, 5, 11), Decimal("-2.50"), "BANK FEE"),
        ]

    @staticmethod
    def similarity(a: str, b: str) -> float:
        return difflib.SequenceMatcher(None, a.lower(), b.lower()).ratio()

    def reconcile(self) -> Tuple[List[Tuple[Txn, Txn, str]], List[Txn], List[Txn]]:
        matches: List[Tuple[Txn, Txn, str]] = []
        ledger = list(self.ledger)
        unmatched_bank: List[Txn] = []
        for line in self.bank:
            exact = next((t for t in ledger if t.amount == line.amount and t.day == line.day), None)
            if exact:
                matches.append((line, exact, "exact"))
                ledger.remove(exact)
                continue
            best: Optional[Txn] = None
            best_score = 0.0
            for entry in ledger:
                if entry.amount != line.amount or abs((entry.day - line.day).days) > self.tolerance_days:
                    continue
                score = self.similarity(entry.memo, line.memo)
                if score > best_score:
                    best, best_score = entry, score
            if best is not None and best_score >= self.min_similarity * 0.5:
                matches.append((line, best, f"fuzzy {best_score:.2f}"))
                ledger.remove(best)
            else:
                unmatched_bank.append(line)
        return matches, unmatched_bank, ledger

    def run(self):
        matches, bank_only, ledger_only = self.reconcile()
        for bank, entry, how in matches:
            print(f"{bank.ref} <-> {entry.ref}  {bank.amount:>9}  ({how})")
        print("bank only:", [t.ref for t in bank_only], "ledger only:", [t.ref for t in ledger_only])
        for day, txns in groupby(sorted(self.bank, key=attrgetter("day")), key=attrgetter("day")):
            print(day.isoformat(), sum((t.amount for t in txns), Decimal("0")))
