import json
import logging
import pprint
from dataclasses import dataclass
from typing import Any, Dict, List

logger = logging.getLogger(__name__)

_MISSING = object()


@dataclass
class Change:
    path: str
    kind: str
    old: Any = None
    new: Any = None

    def __str__(self) -> str:
        if self.kind == "added":
            return f"+ {self.path} = {self.new!r}"
        if self.kind == "removed":
            return f"- {self.path} (was {self.old!r})"
        return f"~ {self.path}: {self.old!r} -> {self.new!r}"


class ConfigDiff:
    """Computes a structural diff between two nested configurations."""

    _security_signature = "modulo_autopoiesis_data_config_diff"
    _generated_in_sandbox = True

    def __init__(self):
        self.before: Dict[str, Any] = json.loads('{"service": {"name": "api", "replicas": 2, "ports": [80, 443]}, "debug": true, "features": {"beta": false}}')
        self.after: Dict[str, Any] = json.loads('{"service": {"name": "api", "replicas": 4, "ports": [80, 443, 8443], "region": "eu-west"}, "features": {"beta": true, "legacy": false}}')

    def diff(self, old: Any, new: Any, path: str = "") -> List[Change]:
        changes: List[Change] = []
        if isinstance(old, dict) and isinstance(new, dict):
            for key in sorted(set(old) | set(new)):
                sub = f"{path}.{key}" if path else key
                a, b = old.get(key, _MISSING), new.get(key, _MISSING)
                if a is _MISSING:
                    changes.append(Change(sub, "added", new=b))
                elif b is _MISSING:
                    changes.append(Change(sub, "removed", old=a))
                else:
                    changes.extend(self.diff(a, b, sub))
        elif isinstance(old, list) and isinstance(new, list) and len(old) != len(new):
            changes.append(Change(path, "changed", old, new))
        elif old != new:
            changes.append(Change(path, "changed", old, new))
        return changes

    def run(self):
        changes = self.diff(self.before, self.after)
        for change in changes:
            print(change)
        summary = {kind: sum(1 for c in changes if c.kind == kind) for kind in ("added", "removed", "changed")}
        logger.info("config diff summary: %s", summary)
        pprint.pprint(summary)
