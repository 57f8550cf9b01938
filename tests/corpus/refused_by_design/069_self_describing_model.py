import json
import logging
from typing import Any, Dict, List

logger = logging.getLogger(__name__)


class Model:
    """Base model with reflection helpers built on ``__dict__``.

    Subclasses declare ``fields`` and get ``to_dict``, ``from_dict``,
    ``__repr__``, ``__eq__`` and change tracking for free.
    """

    fields: List[str] = []

    def __init__(self, **kwargs: Any):
        for name in self.fields:
            setattr(self, name, kwargs.pop(name, None))
        if kwargs:
            raise TypeError(f"{type(self).__name__} got unexpected fields: {sorted(kwargs)}")
        self._original = self.to_dict()

    def to_dict(self) -> Dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "Model":
        return cls(**{k: v for k, v in data.items() if k in cls.fields})

    def changed_fields(self) -> Dict[str, Any]:
        current = self.to_dict()
        return {k: (self._original.get(k), v) for k, v in current.items() if self._original.get(k) != v}

    def __repr__(self) -> str:
        attrs = " ".join(f"{k}={v!r}" for k, v in self.to_dict().items())
        return f"<{self.__class__.__name__} {attrs}>"

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.to_dict() == other.to_dict()


class Product(Model):
    fields = ["sku", "title", "price", "stock"]


class Customer(Model):
    fields = ["email", "name"]

    def display_name(self) -> str:
        return self.name or self.email.split("@")[0]


class ModelShowcase:
    _security_signature = "modulo_autopoiesis_data_model_showcase"
    _generated_in_sandbox = True

    def __init__(self):
        self.records: List[Model] = []

    def run(self):
        p = Product(sku="X1", title="Lamp", price=25.0, stock=3)
        c = Customer.from_dict({"email": "kim@example.com", "ignored": True})
        self.records.extend([p, c])
        p.price = 22.5
        setattr(p, "stock", 2)
        print(p)
        print(c, c.display_name())
        print("changed:", p.changed_fields())
        print("has title:", hasattr(p, "title"), "| discount:", getattr(p, "discount", None))
        print("equal copy:", p == Product.from_dict(p.to_dict()), "| type:", type(c).__name__)
        print(json.dumps([r.to_dict() for r in self.records], sort_keys=True))
        try:
            Product(sku="Y", colour="red")
        except TypeError as exc:
            logger.warning("Bad payload: %s", exc)
            print("error:", exc)
