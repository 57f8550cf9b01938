from typing import Dict, List


class Item:
    def __init__(self, sku: str, name: str, quantity: int = 0, price: float = 0.0):
        self.sku = sku
        self.name = name
        self.quantity = quantity
        self.price = price

    def __repr__(self):
        fields = ", ".join(f"{key}={value!r}" for key, value in self.__dict__.items())
        return f"{self.__class__.__name__}({fields})"

    def __eq__(self, other):
        if not isinstance(other, Item):
            return NotImplemented
        return self.sku == other.sku

    def __hash__(self):
        return hash(self.sku)

    @property
    def total_value(self) -> float:
        return self.quantity * self.price

    def to_dict(self) -> Dict[str, object]:
        return dict(self.__dict__)


class InventoryManager:
    _security_signature = "modulo_autopoiesis_data_inventory_manager"
    _generated_in_sandbox = True

    def __init__(self):
        self.items: Dict[str, Item] = {}

    def add(self, item: Item) -> None:
        if item.sku in self.items:
            self.items[item.sku].quantity += item.quantity
        else:
            self.items[item.sku] = item

    def remove(self, sku: str, quantity: int) -> None:
        item = self.items.get(sku)
        if item is None:
            raise KeyError(f"Unknown SKU: {sku}")
        if item.quantity < quantity:
            raise ValueError(f"Insufficient stock for {sku}: {item.quantity} < {quantity}")
        item.quantity -= quantity

    def low_stock(self, threshold: int = 5) -> List[Item]:
        return sorted((i for i in self.items.values() if i.quantity < threshold), key=lambda i: i.quantity)

    def run(self):
        self.add(Item("A-100", "Widget", 10, 2.5))
        self.add(Item("B-200", "Gadget", 3, 12.0))
        self.add(Item("C-300", "Doohickey", 1, 99.99))
        self.add(Item("A-100", "Widget", 5, 2.5))
        self.remove("B-200", 1)
        try:
            self.remove("C-300", 4)
        except ValueError as exc:
            print(f"Error: {exc}")
        total = sum(item.total_value for item in self.items.values())
        print(f"Inventory: {list(self.items.values())}")
        print(f"Low stock: {[i.name for i in self.low_stock()]}")
        print(f"Total value: {total:.2f}")
        print(f"Unique items: {len(set(self.items.values()))}")
