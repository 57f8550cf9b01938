"""Configuration loader component.

Parses a JSON configuration document, applies defaults and validates the
resulting settings. Note: this component never uses ``eval`` or ``exec`` to
interpret values; everything goes through ``json.loads``.
"""

import json
import logging
from dataclasses import dataclass, field, asdict
from typing import Any, Dict, List, Optional

logger = logging.getLogger(__name__)

DEFAULT_CONFIG: Dict[str, Any] = {
    "name": "agent",
    "max_workers": 4,
    "timeout": 30.0,
    "features": ["logging", "metrics"],
}

RAW_CONFIG = """
{
    "name": "autopoietic-agent",
    "max_workers": 8,
    "features": ["logging", "metrics", "tracing"],
    "retry": {"attempts": 3, "backoff": 1.5}
}
"""


@dataclass
class RetrySettings:
    attempts: int = 1
    backoff: float = 1.0


@dataclass
class AppConfig:
    name: str
    max_workers: int
    timeout: float
    features: List[str] = field(default_factory=list)
    retry: RetrySettings = field(default_factory=RetrySettings)
    description: Optional[str] = None

    def validate(self) -> List[str]:
        errors = []
        if self.max_workers <= 0:
            errors.append("max_workers must be positive")
        if self.timeout <= 0:
            errors.append("timeout must be positive")
        if self.retry.attempts < 1:
            errors.append("retry.attempts must be at least 1")
        return errors


class ConfigLoader:
    """Loads and validates the agent configuration."""

    _security_signature = "modulo_autopoiesis_data_config_loader"
    _generated_in_sandbox = True

    def __init__(self):
        self.raw = RAW_CONFIG
        self.config: Optional[AppConfig] = None

    def _merge(self, data: Dict[str, Any]) -> Dict[str, Any]:
        merged = dict(DEFAULT_CONFIG)
        merged.update(data)
        return merged

    def load(self) -> AppConfig:
        try:
            data = json.loads(self.raw)
        except json.JSONDecodeError as exc:
            logger.error("Invalid configuration: %s", exc)
            raise
        merged = self._merge(data)
        retry = RetrySettings(**merged.pop("retry", {}))
        self.config = AppConfig(retry=retry, **merged)
        logger.info("Loaded configuration for %s", self.config.name)
        return self.config

    def run(self):
        config = self.load()
        errors = config.validate()
        if errors:
            print(f"Configuration invalid: {errors}")
            return False
        print(json.dumps(asdict(config), indent=2, sort_keys=True))
        return True
