import copy
import json
import logging
from typing import Any, Dict, List

logger = logging.getLogger(__name__)


class PatchError(Exception):
    pass


def _parse_pointer(pointer: str) -> List[str]:
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise PatchError(f"invalid JSON pointer {pointer!r}")
    return [part.replace("~1", "/").replace("~0", "~") for part in pointer[1:].split("/")]


def _resolve_parent(document: Any, parts: List[str]):
    target = document
    for part in parts[:-1]:
        target = target[int(part)] if isinstance(target, list) else target[part]
    return target, parts[-1]


class JsonPatcher:
    """Applies RFC 6902 JSON Patch documents.

    Supported operations: add, remove, replace, move, copy and test. The
    input document is never mutated; a deep copy is patched and returned.
    """

    _security_signature = "modulo_autopoiesis_data_json_patcher"
    _generated_in_sandbox = True

    def __init__(self):
        self.applied = 0

    def _get(self, doc: Any, pointer: str) -> Any:
        for part in _parse_pointer(pointer):
            doc = doc[int(part)] if isinstance(doc, list) else doc[part]
        return doc

    def _add(self, doc: Any, pointer: str, value: Any) -> None:
        parent, key = _resolve_parent(doc, _parse_pointer(pointer))
        if isinstance(parent, list):
            parent.insert(len(parent) if key == "-" else int(key), value)
        else:
            parent[key] = value

    def _remove(self, doc: Any, pointer: str) -> Any:
        parent, key = _resolve_parent(doc, _parse_pointer(pointer))
        return parent.pop(int(key)) if isinstance(parent, list) else parent.pop(key)

    def apply(self, document: Any, patch: List[Dict[str, Any]]) -> Any:
        result = copy.deepcopy(document)
        for index, op in enumerate(patch):
            kind, path = op["op"], op["path"]
            try:
                if kind == "add":
                    self._add(result, path, copy.deepcopy(op["value"]))
                elif kind == "remove":
                    self._remove(result, path)
                elif kind == "replace":
                    self._remove(result, path)
                    self._add(result, path, copy.deepcopy(op["value"]))
                elif kind == "move":
                    self._add(result, path, self._remove(result, op["from"]))
                elif kind == "copy":
                    self._add(result, path, copy.deepcopy(self._get(result, op["from"])))
                elif kind == "test":
                    if self._get(result, path) != op["value"]:
                        raise PatchError(f"test failed at {path}")
                else:
                    raise PatchError(f"unknown op {kind!r}")
            except (KeyError, IndexError, ValueError) as exc:
                raise PatchError(f"operation {index} ({kind} {path}) failed: {exc!r}") from exc
            self.applied += 1
        return result

    def run(self):
        doc = {"name": "service", "tags": ["a", "b"], "config": {"retries": 3, "a/b": 1}}
        patch = [
            {"op": "replace", "path": "/config/retries", "value": 5},
            {"op": "add", "path": "/tags/-", "value": "c"},
            {"op": "add", "path": "/tags/0", "value": "first"},
            {"op": "remove", "path": "/config/a~1b"},
            {"op": "copy", "from": "/name", "path": "/alias"},
            {"op": "move", "from": "/alias", "path": "/config/alias"},
            {"op": "test", "path": "/config/retries", "value": 5},
        ]
        print(json.dumps(self.apply(doc, patch), sort_keys=True))
        print("original untouched:", json.dumps(doc, sort_keys=True))
        try:
            self.apply(doc, [{"op": "remove", "path": "/missing"}])
        except PatchError as exc:
            logger.warning("%s", exc)
            print("error:", exc)
        print("operations applied:", self.applied)
