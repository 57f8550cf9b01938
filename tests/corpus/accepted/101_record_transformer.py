# -----------------------------------------------------------------------------
# Auto-generated component: RecordTransformer
# Generator: component-synth 1.4.2 (template: transformer/basic)
# Do not edit by hand; regenerate from the specification instead.
# -----------------------------------------------------------------------------
"""RecordTransformer: applies a declarative list of field operations."""

from __future__ import annotations

import logging
from typing import Any, Callable, Dict, List, Tuple

__all__ = ["RecordTransformer"]

logger = logging.getLogger(__name__)

# ---- generated operation table ---------------------------------------------
OPERATIONS: Dict[str, Callable[..., Any]] = {
    "upper": lambda value: str(value).upper(),
    "lower": lambda value: str(value).lower(),
    "strip": lambda value: str(value).strip(),
    "int": lambda value: int(value),
    "float": lambda value: float(value),
    "default": lambda value, fallback: fallback if value in (None, "") else value,
    "prefix": lambda value, text: f"{text}{value}",
    "truncate": lambda value, length: str(value)[: int(length)],
}

# ---- generated specification ------------------------------------------------
SPEC: List[Tuple[str, str, Tuple[Any, ...]]] = [
    ("name", "strip", ()),
    ("name", "upper", ()),
    ("age", "default", ("0",)),
    ("age", "int", ()),
    ("code", "prefix", ("ID-",)),
    ("bio", "truncate", (12,)),
]

# ---- sample input -----------------------------------------------------------
SAMPLE_RECORDS: List[Dict[str, Any]] = [
    {"name": "  alice ", "age": "31", "code": 7, "bio": "Enjoys long walks on the beach"},
    {"name": "bob", "age": "", "code": 8, "bio": "Short"},
    {"name": "carol", "age": "n/a", "code": 9, "bio": ""},
]


class RecordTransformer:
    """Generated transformer component.

    Attributes:
        spec: Ordered list of (field, operation, arguments) triples.
        errors: Errors collected during the last ``run``.
    """

    _security_signature = "modulo_autopoiesis_data_record_transformer"
    _generated_in_sandbox = True

    def __init__(self) -> None:
        self.spec = list(SPEC)
        self.errors: List[str] = []

    def transform(self, record: Dict[str, Any]) -> Dict[str, Any]:
        result = dict(record)
        for field_name, op_name, args in self.spec:
            operation = OPERATIONS[op_name]
            try:
                result[field_name] = operation(result.get(field_name), *args)
            except (TypeError, ValueError) as exc:
                message = "field '{0}' op '{1}': {2}".format(field_name, op_name, exc)
                logger.warning(message)
                self.errors.append(message)
        return result

    def run(self) -> List[Dict[str, Any]]:
        self.errors = []
        output = [self.transform(record) for record in SAMPLE_RECORDS]
        for row in output:
            print(row)
        print("errors: {count}".format(count=len(self.errors)))
        for error in self.errors:
            print("  - " + error)
        return output
