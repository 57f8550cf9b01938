"""Component specifications and the architect that derives them.

A ``ComponentSpec`` names one component the system should have.  Its name
becomes a Python module and class name inside the sandbox, so it must be a
plain ASCII identifier; ``type`` likewise; ``config`` maps str to str and is
emitted into generated code with ``repr`` only (see code_synthesizer).
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Iterable, Mapping, Sequence, Union

__all__ = ["ComponentSpec", "MetaArchitect", "MAX_SPEC_NAME_LENGTH"]

#: Longest base name: evolution prefixes names (``stabilized_`` ...) and the
#: sandbox accepts component names up to 128 characters.
MAX_SPEC_NAME_LENGTH = 64
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
# Keywords of a requirement text -> component type, first match wins.
_TYPE_KEYWORDS = (
    ("monitor", ("monitor", "watch", "health", "observe")),
    ("cache", ("cache", "memoize", "store")),
    ("validator", ("validate", "check", "verify")),
    ("scheduler", ("schedule", "queue", "plan")),
    ("processor", ()),
)


def _check_identifier(what: str, value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be str, not {type(value).__name__}")
    if not _IDENTIFIER.match(value) or keyword.iskeyword(value):
        raise ValueError(f"{what} must be a plain ASCII identifier, got {value!r}")
    return value


@dataclass(frozen=True)
class ComponentSpec:
    """ComponentSpec(name: str, type: str, config: Mapping[str, str] = {})

    Raises ``TypeError`` for non-str fields or config entries and
    ``ValueError`` for a name or type that is not a plain ASCII identifier.
    ``config`` is copied into a read-only mapping.
    """

    name: str
    type: str
    config: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _check_identifier("ComponentSpec.name", self.name)
        _check_identifier("ComponentSpec.type", self.type)
        if not isinstance(self.config, Mapping):
            raise TypeError(f"ComponentSpec.config must be a mapping, not {type(self.config).__name__}")
        copied = {}
        for key, value in self.config.items():
            if not isinstance(key, str) or not isinstance(value, str):
                raise TypeError(f"ComponentSpec.config maps str to str; got {key!r}: {value!r}")
            copied[key] = value
        object.__setattr__(self, "config", MappingProxyType(dict(sorted(copied.items()))))

    def __hash__(self) -> int:
        return hash((self.name, self.type, tuple(self.config.items())))

    @property
    def generation(self) -> int:
        """config['generation'] as an int (0 when absent or not a number)."""
        try:
            return int(self.config.get("generation", "0"))
        except ValueError:
            return 0


Requirement = Union[str, Mapping[str, object]]
#: config of the specs made from the historical requirements form
_GENERATED_CONFIG = {"generated_by": "MetaArchitect", "version": "1.0"}


def _slug(text: str) -> str:
    words = re.findall(r"[a-z0-9]+", text.lower())
    name = "_".join(words)[:MAX_SPEC_NAME_LENGTH].strip("_") or "component"
    return f"c_{name}" if name[0].isdigit() or keyword.iskeyword(name) else name


class MetaArchitect:
    """Turns requirements into component specifications."""

    def generate_specifications(
        self, requirements: Union[Mapping[str, Sequence[str]], Iterable[Requirement]]
    ) -> list[ComponentSpec]:
        """generate_specifications(requirements) -> list[ComponentSpec]

        Two forms:

        - a mapping component type -> sequence of component names (the
          historical form): one spec per name, of that type, with config
          ``{"generated_by": "MetaArchitect", "version": "1.0"}``;
        - an iterable of requirements, each a text ("Monitor the queue
          latency"), which gives a snake_case name, a type guessed from its
          words and ``config['requirement']``, or a mapping with ``name``,
          optional ``type`` (default ``processor``) and optional ``config``.
          Repeated names get a numeric suffix.

        Raises ``TypeError``/``ValueError`` for requirements of another shape
        (a single string, names that are not identifiers, non-str names).
        """
        if isinstance(requirements, (str, bytes)):
            raise TypeError("requirements must be a mapping or an iterable of str or mappings, not a single string")
        if isinstance(requirements, Mapping):
            return self._specs_by_type(requirements)
        specs: list[ComponentSpec] = []
        taken: set[str] = set()
        for req in requirements:
            if isinstance(req, str):
                text = req.strip()
                if not text:
                    raise ValueError("a requirement text must not be empty")
                name = _slug(text)
                kind = next(t for t, words in _TYPE_KEYWORDS if not words or any(w in text.lower() for w in words))
                config: Mapping[str, str] = {"requirement": text}
            elif isinstance(req, Mapping):
                name = req.get("name")  # type: ignore[assignment]
                kind = req.get("type", "processor")  # type: ignore[assignment]
                config = req.get("config", {})  # type: ignore[assignment]
            else:
                raise TypeError(f"a requirement must be str or a mapping, not {type(req).__name__}")
            base, n = name, 2
            while isinstance(name, str) and name in taken:
                name, n = f"{base}_{n}", n + 1
            spec = ComponentSpec(name, kind, config)
            taken.add(spec.name)
            specs.append(spec)
        return specs

    @staticmethod
    def _specs_by_type(requirements: Mapping[str, Sequence[str]]) -> list[ComponentSpec]:
        specs = []
        for kind, names in requirements.items():
            if isinstance(names, (str, bytes)) or not isinstance(names, Iterable):
                raise TypeError(f"requirements[{kind!r}] must be a sequence of component names, not "
                                f"{type(names).__name__}")
            for name in names:
                specs.append(ComponentSpec(name, kind, _GENERATED_CONFIG))
        return specs

    def specification_problems(self, specs: Union[Mapping[str, ComponentSpec], Iterable[ComponentSpec]]) -> list[str]:
        """Every reason the specs cannot be synthesized together ([] if none)."""
        problems = []
        seen: set[str] = set()
        for spec in specs.values() if isinstance(specs, Mapping) else specs:
            if not isinstance(spec, ComponentSpec):
                problems.append(f"not a ComponentSpec: {spec!r}")
                continue
            # (a ComponentSpec cannot have an empty name or type: it checks them)
            if spec.name in seen:
                problems.append(f"duplicate name {spec.name!r}")
            seen.add(spec.name)
            if len(spec.name) > MAX_SPEC_NAME_LENGTH + 48:
                problems.append(f"name {spec.name!r} is too long")
        return problems

    def validate_specifications(self, specs: Union[Mapping[str, ComponentSpec], Iterable[ComponentSpec]]) -> bool:
        """validate_specifications(specs) -> bool: no problems found."""
        return not self.specification_problems(specs)
