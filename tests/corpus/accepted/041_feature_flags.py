import logging
from collections import ChainMap
from typing import Any, Dict, Optional

logger = logging.getLogger(__name__)


class FlagContext:
    def __init__(self, user_id: int, country: str = "US", beta: bool = False):
        self.user_id = user_id
        self.country = country
        self.beta = beta


class FeatureFlags:
    """Layered feature flags: runtime overrides > environment > defaults.

    The layers are combined with :class:`collections.ChainMap`, so lookups
    fall through to the next layer when a flag is not set. Values are read
    from plain dictionaries; nothing is read from ``os.environ``.
    """

    _security_signature = "modulo_autopoiesis_data_feature_flags"
    _generated_in_sandbox = True

    def __init__(self):
        self.defaults: Dict[str, Any] = {"new_checkout": False, "dark_mode": True, "max_items": 50, "rollout": 0}
        self.environment: Dict[str, Any] = {"new_checkout": True, "rollout": 25}
        self.overrides: Dict[str, Any] = {}
        self.flags = ChainMap(self.overrides, self.environment, self.defaults)

    def is_enabled(self, name: str, context: Optional[FlagContext] = None) -> bool:
        value = self.flags.get(name, False)
        if context is not None and getattr(context, "beta", False):
            return True
        if name == "new_checkout" and context is not None:
            return bool(value) and (context.user_id % 100) < self.flags["rollout"]
        return bool(value)

    def override(self, name: str, value: Any) -> None:
        logger.info("Overriding %s=%r", name, value)
        self.overrides[name] = value

    def source_of(self, name: str) -> str:
        for label, layer in zip(("override", "environment", "default"), self.flags.maps):
            if name in layer:
                return label
        return "missing"

    def run(self):
        users = [FlagContext(7), FlagContext(42), FlagContext(99, beta=True), FlagContext(3, country="DE")]
        for ctx in users:
            enabled = self.is_enabled("new_checkout", ctx)
            print(f"user {ctx.user_id:>3} ({ctx.country}) new_checkout={enabled} has_beta={hasattr(ctx, 'beta')}")
        self.override("dark_mode", False)
        for name in ("new_checkout", "dark_mode", "max_items", "unknown"):
            print(f"{name:<13} = {self.flags.get(name)!r:<6} from {self.source_of(name)}")
        child = self.flags.new_child({"max_items": 10})
        print("child max_items:", child["max_items"], "parent:", self.flags["max_items"])
