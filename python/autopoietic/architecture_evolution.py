"""Choosing how the architecture evolves from health metrics.

``determine_strategy`` reads three metrics: ``error_rate`` (fraction, 0-1),
``cpu_usage`` (percent) and ``latency_ms`` (milliseconds).  Rules, first
match wins: error_rate > 0.10 -> STABILIZE; cpu_usage > 90 or
latency_ms > 1000 -> OPTIMIZE; otherwise EXPAND.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from typing import Iterable, Mapping, Optional, Union

from .meta_architect import ComponentSpec, MetaArchitect

__all__ = ["ArchitectureEvolution", "EvolutionBatch", "EvolutionStrategy", "MAX_GENERATION"]

#: A component whose generation is over this is not evolved further.
MAX_GENERATION = 3


class EvolutionStrategy(enum.Enum):
    STABILIZE = "stabilize"
    OPTIMIZE = "optimize"
    EXPAND = "expand"
    EXPLORE = "explore"

    @property
    def prefix(self) -> str:
        """Name prefix of derived specs: expanded_, stabilized_, ..."""
        return {"stabilize": "stabilized", "optimize": "optimized", "expand": "expanded", "explore": "explored"}[
            self.value
        ]


@dataclass(frozen=True)
class EvolutionBatch:
    """The strategy chosen and the new specs derived under it (a list, as
    in the historical API)."""

    strategy: EvolutionStrategy
    specs: list[ComponentSpec]


def _metric(metrics: Mapping[str, object], key: str) -> float:
    value = metrics.get(key, 0.0)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"metric {key!r} must be a number, not {type(value).__name__}")
    if math.isnan(value):
        raise ValueError(f"metric {key!r} is NaN")
    return float(value)


class ArchitectureEvolution:
    """ArchitectureEvolution(meta_architect=None)

    Derives new component specs from existing ones and the metrics.
    ``meta_architect`` is kept as ``self.meta_architect`` (a new
    ``MetaArchitect`` if not given), as the historical constructor took it.
    """

    def __init__(self, meta_architect: Optional[MetaArchitect] = None) -> None:
        self.meta_architect = meta_architect if meta_architect is not None else MetaArchitect()

    def determine_strategy(self, metrics: Mapping[str, object]) -> EvolutionStrategy:
        """determine_strategy(metrics) -> EvolutionStrategy

        Missing metrics count as 0.  Raises ``TypeError`` for a non-mapping
        or a non-numeric metric, ``ValueError`` for NaN.
        """
        if not isinstance(metrics, Mapping):
            raise TypeError(f"metrics must be a mapping, not {type(metrics).__name__}")
        if _metric(metrics, "error_rate") > 0.10:
            return EvolutionStrategy.STABILIZE
        if _metric(metrics, "cpu_usage") > 90 or _metric(metrics, "latency_ms") > 1000:
            return EvolutionStrategy.OPTIMIZE
        return EvolutionStrategy.EXPAND

    def propose_evolution(
        self,
        specs: Union[Mapping[str, ComponentSpec], Iterable[ComponentSpec]],
        metrics: Optional[Mapping[str, object]] = None,
        strategy: Optional[EvolutionStrategy] = None,
    ) -> EvolutionBatch:
        """propose_evolution(specs, metrics=None, strategy=None) -> EvolutionBatch

        ``specs``: a mapping name -> ComponentSpec (the historical form) or
        an iterable of specs.  For each spec of generation <= MAX_GENERATION,
        a new spec ``<prefix>_<name>`` of the same type whose config adds
        ``parent``, ``strategy``, ``generation`` (parent's + 1) and
        ``evolved``.  ``metrics`` None counts as ``{}``.  ``strategy``
        overrides ``determine_strategy(metrics)`` (EXPLORE is only reached
        that way).  Raises ``TypeError`` for items that are not specs.
        """
        chosen = strategy if strategy is not None else self.determine_strategy({} if metrics is None else metrics)
        derived = []
        for spec in specs.values() if isinstance(specs, Mapping) else specs:
            if not isinstance(spec, ComponentSpec):
                raise TypeError(f"propose_evolution takes ComponentSpec objects, not {type(spec).__name__}")
            if spec.generation > MAX_GENERATION:
                continue
            config = dict(spec.config)
            config.update(
                parent=spec.name, strategy=chosen.value, generation=str(spec.generation + 1), evolved="true"
            )
            derived.append(ComponentSpec(f"{chosen.prefix}_{spec.name}", spec.type, config))
        return EvolutionBatch(chosen, derived)
