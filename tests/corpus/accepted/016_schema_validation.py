from typing import Any, Dict, List


class SchemaError(Exception):
    """Raised when a document does not match its schema."""

    def __init__(self, path: str, message: str):
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}")


TYPE_MAP = {
    "string": str,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
    "array": list,
    "object": dict,
}


def validate(document: Any, schema: Dict[str, Any], path: str = "$") -> None:
    expected = schema.get("type")
    if expected:
        py_type = TYPE_MAP[expected]
        if expected in ("integer", "number") and isinstance(document, bool):
            raise SchemaError(path, f"expected {expected}, got boolean")
        if not isinstance(document, py_type):
            raise SchemaError(path, f"expected {expected}, got {type(document).__name__}")
    if "enum" in schema and document not in schema["enum"]:
        raise SchemaError(path, f"{document!r} not one of {schema['enum']}")
    if "minimum" in schema and document < schema["minimum"]:
        raise SchemaError(path, f"{document} is less than minimum {schema['minimum']}")
    if expected == "object":
        for key in schema.get("required", []):
            if key not in document:
                raise SchemaError(path, f"missing required property '{key}'")
        for key, sub in schema.get("properties", {}).items():
            if key in document:
                validate(document[key], sub, f"{path}.{key}")
    if expected == "array" and "items" in schema:
        for index, item in enumerate(document):
            validate(item, schema["items"], f"{path}[{index}]")


def collect_errors(documents: List[Any], schema: Dict[str, Any]) -> List[str]:
    errors = []
    for doc in documents:
        try:
            validate(doc, schema)
        except SchemaError as exc:
            errors.append(str(exc))
        else:
            errors.append("ok")
    return errors


SCHEMA = {
    "type": "object",
    "required": ["name", "age"],
    "properties": {
        "name": {"type": "string"},
        "age": {"type": "integer", "minimum": 0},
        "status": {"type": "string", "enum": ["active", "inactive"]},
        "scores": {"type": "array", "items": {"type": "number"}},
    },
}

if __name__ == "__main__":
    docs = [
        {"name": "Ann", "age": 31, "status": "active", "scores": [1, 2.5]},
        {"name": "Ben"},
        {"name": "Cy", "age": -4},
        {"name": "Di", "age": 20, "scores": [1, "two"]},
        {"name": "Ed", "age": True},
        {"name": "Flo", "age": 40, "status": "asleep"},
    ]
    for line in collect_errors(docs, SCHEMA):
        print(line)
