import logging
from datetime import datetime
from decimal import Decimal
from functools import total_ordering
from typing import List, Tuple

logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")


class InsufficientFundsError(Exception):
    def __init__(self, account_id: str, requested: Decimal, available: Decimal):
        super().__init__(f"Account {account_id}: requested {requested}, available {available}")
        self.requested = requested
        self.available = available


@total_ordering
class Account:
    _next_id = 1000

    def __init__(self, owner: str, balance: Decimal = Decimal("0")):
        self.account_id = f"ACC{Account._next_id}"
        Account._next_id += 1
        self.owner = owner
        self._balance = Decimal(balance)
        self._transactions: List[Tuple[str, Decimal]] = []
        self._logger = logging.getLogger(f"bank.{self.__class__.__name__}")

    @property
    def balance(self) -> Decimal:
        return self._balance

    def deposit(self, amount: Decimal) -> None:
        if amount <= 0:
            raise ValueError("Deposit amount must be positive")
        self._balance += amount
        self._transactions.append(("deposit", amount))
        self._logger.info(f"Deposited {amount} into {self.account_id}")

    def withdraw(self, amount: Decimal) -> None:
        if amount > self._balance:
            raise InsufficientFundsError(self.account_id, amount, self._balance)
        self._balance -= amount
        self._transactions.append(("withdraw", amount))
        self._logger.info(f"Withdrew {amount} from {self.account_id}")

    def __eq__(self, other):
        return isinstance(other, Account) and self.balance == other.balance

    def __lt__(self, other):
        return self.balance < other.balance

    def __str__(self):
        return f"{self.owner} [{self.account_id}]: ${self.balance:,.2f}"

    def __repr__(self):
        return f"{type(self).__name__}(owner={self.owner!r}, balance=Decimal('{self.balance}'))"


class SavingsAccount(Account):
    def __init__(self, owner: str, balance: Decimal = Decimal("0"), rate: Decimal = Decimal("0.02")):
        super().__init__(owner, balance)
        self.rate = rate

    def apply_interest(self) -> Decimal:
        interest = (self.balance * self.rate).quantize(Decimal("0.01"))
        self.deposit(interest)
        return interest


class BankSystem:
    _security_signature = "modulo_autopoiesis_data_bank_system"
    _generated_in_sandbox = True

    def __init__(self):
        self.accounts: List[Account] = []
        self.logger = logging.getLogger(__name__)

    def transfer(self, source: Account, target: Account, amount: Decimal) -> bool:
        try:
            source.withdraw(amount)
        except InsufficientFundsError as exc:
            self.logger.warning("Transfer failed: %s", exc)
            return False
        target.deposit(amount)
        return True

    def run(self):
        alice = Account("Alice", Decimal("500"))
        bob = SavingsAccount("Bob", Decimal("1200"), rate=Decimal("0.035"))
        self.accounts.extend([alice, bob])
        self.transfer(alice, bob, Decimal("200"))
        self.transfer(alice, bob, Decimal("1000"))
        print("Interest:", bob.apply_interest())
        for account in sorted(self.accounts, reverse=True):
            print(account)
        print(repr(alice))
        print(f"Report generated at {datetime(2024, 1, 31, 23, 59):%Y-%m-%d %H:%M}")
