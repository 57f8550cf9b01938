"""Deterministic Python source for component specifications.

Each spec becomes one module with one class (PascalCase of the spec name)
following the component protocol: ``_security_signature =
"modulo_autopoiesis_data_<name>"``, ``_generated_in_sandbox = True`` and a
``run()`` shaped by the spec's evolution strategy (STABILIZE wraps the work
in error handling, OPTIMIZE caches it, EXPAND adds extended features).

Injection safety: every config key and value reaches the source only through
``repr()``, so quotes, newlines or ``__import__('os')`` in a value stay a
string literal.  The docstring is built from the spec's name and type, which
ComponentSpec guarantees are plain identifiers.
"""

from __future__ import annotations

import keyword
from dataclasses import dataclass
from typing import Iterable

from ._common import MARKER_ATTRIBUTE, SIGNATURE_ATTRIBUTE, SIGNATURE_PREFIX
from .architecture_evolution import EvolutionStrategy
from .meta_architect import ComponentSpec

__all__ = ["CodeSynthesizer", "SynthesizedComponent", "SIGNATURE_PREFIX", "class_name_for", "signed_name",
           "spec_name_of"]



def signed_name(spec_name: str) -> str:
    """The component's signed name: ``modulo_autopoiesis_data_<spec name>``
    (the key of ``synthesize``'s result and the ``_security_signature``)."""
    return SIGNATURE_PREFIX + spec_name


def spec_name_of(name: str) -> str:
    """The spec name inside a signed name (a name without the prefix as is)."""
    return name[len(SIGNATURE_PREFIX):] if name.startswith(SIGNATURE_PREFIX) else name


@dataclass(frozen=True)
class SynthesizedComponent:
    """A generated component: its signed name (``signed_name(spec.name)``),
    source and a one-line description."""

    name: str
    source_code: str
    natural_description: str


def class_name_for(spec_name: str) -> str:
    """PascalCase of a snake_case name: ``data_processor`` -> ``DataProcessor``."""
    name = "".join(part[:1].upper() + part[1:] for part in spec_name.split("_") if part)
    if not name or not name.isidentifier() or keyword.iskeyword(name):
        name = f"Component{name}"
    return name


def _strategy_of(spec: ComponentSpec) -> EvolutionStrategy | None:
    try:
        return EvolutionStrategy(spec.config.get("strategy", ""))
    except ValueError:
        return None


def _attribute_names(spec: ComponentSpec) -> list[str]:
    """Config keys safe to become instance attributes (plain, non-dunder,
    not clashing with the protocol or our own members)."""
    reserved = {"name", "config", "component_type", "run", "_process", "_extended_features", SIGNATURE_ATTRIBUTE,
                MARKER_ATTRIBUTE}
    return [
        key
        for key in spec.config
        if key.isascii() and key.isidentifier() and not keyword.iskeyword(key) and not key.startswith("_")
        and key not in reserved
    ]


_RUN_BODIES = {
    EvolutionStrategy.STABILIZE: '''    def run(self):
        """Do the work; a failure is logged and reported, not raised."""
        try:
            result = self._process()
        except Exception as exc:  # stabilised: contain the failure
            logger.warning("%s recovered from %s", self.component_type, type(exc).__name__)
            result = {"component": self.name, "status": "recovered", "error": type(exc).__name__}
        print(f"{self.name}: {result['status']}")
        return result
''',
    EvolutionStrategy.OPTIMIZE: '''    def run(self):
        """Do the work once; repeated calls are served from the cache."""
        first = _cached_process(self.name, tuple(sorted(self.config.items())))
        again = _cached_process(self.name, tuple(sorted(self.config.items())))
        hits = _cached_process.cache_info().hits
        print(f"{self.name}: {first['status']} (cache hits: {hits})")
        return dict(again, cache_hits=hits)
''',
    EvolutionStrategy.EXPAND: '''    def run(self):
        """Do the work, then add the extended features."""
        result = self._process()
        result.update(self._extended_features())
        print(f"{self.name}: {result['status']} with {len(result['features'])} extended features")
        return result

    def _extended_features(self):
        features = sorted(self.config)
        return {"features": features, "feature_count": len(features)}
''',
}
_PLAIN_RUN = '''    def run(self):
        """Do the work."""
        result = self._process()
        print(f"{self.name}: {result['status']}")
        return result
'''


class CodeSynthesizer:
    """Generates component source from specs, deterministically."""

    def synthesize(self, specs: Iterable[ComponentSpec]) -> dict[str, SynthesizedComponent]:
        """synthesize(specs) -> dict[str, SynthesizedComponent]

        One component per spec, in input order, keyed by its signed name
        ``modulo_autopoiesis_data_<spec name>`` (as the historical
        synthesizer did; ``spec_name_of`` maps back).  Raises ``TypeError``
        for items that are not ``ComponentSpec`` and ``ValueError`` for two
        specs with one name.
        """
        out: dict[str, SynthesizedComponent] = {}
        for spec in specs:
            if not isinstance(spec, ComponentSpec):
                raise TypeError(f"synthesize takes ComponentSpec objects, not {type(spec).__name__}")
            key = signed_name(spec.name)
            if key in out:
                raise ValueError(f"two specs are named {spec.name!r}")
            out[key] = self._synthesize_one(spec)
        return out

    def _synthesize_one(self, spec: ComponentSpec) -> SynthesizedComponent:
        strategy = _strategy_of(spec)
        class_name = class_name_for(spec.name)
        parent = spec.config.get("parent", "")
        lineage = ""
        if strategy is not None:
            lineage = f", evolved by {strategy.name} (generation {spec.generation})"
            if parent.isascii() and parent.isidentifier():
                lineage += f" from {parent}"
        description = f"A {spec.type} component named {spec.name}{lineage}."
        config = dict(spec.config)
        attributes = "".join(f"        self.{key} = {config[key]!r}\n" for key in _attribute_names(spec))
        run_body = _RUN_BODIES.get(strategy, _PLAIN_RUN) if strategy is not None else _PLAIN_RUN
        imports = "import functools\nimport logging\n" if strategy is EvolutionStrategy.OPTIMIZE else "import logging\n"
        cache = ""
        if strategy is EvolutionStrategy.OPTIMIZE:
            cache = '''

@functools.lru_cache(maxsize=128)
def _cached_process(name, items):
    return {"component": name, "status": "processed", "checksum": _checksum(items)}
'''
        source = f'''"""Componente autopoiético sintetizado: {spec.name}.

{description}
"""
{imports}
logger = logging.getLogger({spec.name!r})


def _checksum(items):
    return sum(len(key) * 31 + len(value) for key, value in items) % 9973
{cache}

class {class_name}:
    """{description}"""

    {SIGNATURE_ATTRIBUTE} = {signed_name(spec.name)!r}
    {MARKER_ATTRIBUTE} = True
    name = {spec.name!r}
    component_type = {spec.type!r}

    def __init__(self):
        self.config = {config!r}
{attributes}
    def _process(self):
        items = tuple(sorted(self.config.items()))
        return {{"component": self.name, "status": "processed", "checksum": _checksum(items)}}

{run_body}'''
        return SynthesizedComponent(signed_name(spec.name), source, description)
