from decimal import Decimal, ROUND_HALF_UP, getcontext
from functools import total_ordering

getcontext().prec = 28

CENT = Decimal("0.01")


@total_ordering
class Money:
    """Immutable monetary amount with a currency code.

    Uses :class:`decimal.Decimal` internally to avoid binary floating point
    rounding errors.

    Parameters
    ----------
    amount : str, int or Decimal
        The amount. Floats are converted through ``str`` first.
    currency : str
        ISO 4217 currency code.
    """

    __slots__ = ("_amount", "_currency")

    def __init__(self, amount, currency="USD"):
        if isinstance(amount, float):
            amount = str(amount)
        self._amount = Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)
        self._currency = currency.upper()

    @property
    def amount(self):
        return self._amount

    @property
    def currency(self):
        return self._currency

    def _check(self, other):
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise ValueError(f"currency mismatch: {self.currency} vs {other.currency}")

    def __add__(self, other):
        self._check(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other):
        self._check(other)
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, factor):
        return Money(self.amount * Decimal(str(factor)), self.currency)

    __rmul__ = __mul__

    def __eq__(self, other):
        if not isinstance(other, Money):
            return NotImplemented
        return (self.amount, self.currency) == (other.amount, other.currency)

    def __lt__(self, other):
        self._check(other)
        return self.amount < other.amount

    def __hash__(self):
        return hash((self.amount, self.currency))

    def __repr__(self):
        return f"Money('{self.amount}', '{self.currency}')"

    def __str__(self):
        return f"{self.amount:,.2f} {self.currency}"

    def allocate(self, ratios):
        """Split the amount according to ``ratios`` without losing cents."""
        total = sum(ratios)
        cents = int(self.amount * 100)
        shares = [cents * r // total for r in ratios]
        remainder = cents - sum(shares)
        for i in range(remainder):
            shares[i] += 1
        return [Money(Decimal(s) / 100, self.currency) for s in shares]


if __name__ == "__main__":
    price = Money("19.99")
    tax = price * 0.0825
    total = price + tax
    print(f"price={price} tax={tax} total={total}")
    print(repr(total))
    print([str(m) for m in Money("100.00").allocate([1, 1, 1])])
    print(max(Money(5), Money("7.50"), Money(3)))
