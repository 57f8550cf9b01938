from dataclasses import dataclass, field
from decimal import Decimal
from typing import List, Optional


@dataclass
class LineItem:
    product: str
    unit_price: Decimal
    quantity: int = 1
    discount: Decimal = Decimal("0")

    def __post_init__(self):
        if not isinstance(self.unit_price, Decimal):
            self.unit_price = Decimal(str(self.unit_price))
        if self.quantity <= 0:
            raise ValueError(f"quantity must be positive, got {self.quantity}")
        if not (Decimal("0") <= self.discount <= Decimal("1")):
            raise ValueError("discount must be between 0 and 1")

    @property
    def subtotal(self) -> Decimal:
        return (self.unit_price * self.quantity * (1 - self.discount)).quantize(Decimal("0.01"))


@dataclass
class Coupon:
    code: str
    percent_off: int
    minimum: Decimal = Decimal("0")


class ShoppingCart:
    _security_signature = "modulo_autopoiesis_data_shopping_cart"
    _generated_in_sandbox = True

    TAX_RATE = Decimal("0.07")

    def __init__(self):
        self.items: List[LineItem] = []
        self.coupon: Optional[Coupon] = None

    def add(self, product: str, price, quantity: int = 1, discount: str = "0") -> None:
        self.items.append(LineItem(product, price, quantity, Decimal(discount)))

    def apply_coupon(self, coupon: Coupon) -> bool:
        if self.subtotal() < coupon.minimum:
            return False
        self.coupon = coupon
        return True

    def subtotal(self) -> Decimal:
        return sum((item.subtotal for item in self.items), Decimal("0"))

    def total(self) -> Decimal:
        amount = self.subtotal()
        if self.coupon:
            amount -= (amount * self.coupon.percent_off / 100).quantize(Decimal("0.01"))
        return (amount * (1 + self.TAX_RATE)).quantize(Decimal("0.01"))

    def run(self):
        self.add("Keyboard", "49.99")
        self.add("Mouse", 19.5, quantity=2)
        self.add("Monitor", "199.00", discount="0.10")
        try:
            self.add("Cable", "4.99", quantity=0)
        except ValueError as exc:
            print("Rejected item: {}".format(exc))
        for item in self.items:
            print("{:<10} {:>3} x {:>8} = {:>8}".format(item.product, item.quantity, item.unit_price, item.subtotal))
        print("Coupon applied: {}".format(self.apply_coupon(Coupon("SAVE10", 10, Decimal("100")))))
        print("Subtotal: {sub}  Total (incl. tax): {tot}".format(sub=self.subtotal(), tot=self.total()))
