"""The autopoietic cycle: propose -> gate on health -> synthesize -> run every
component in the real sandbox -> persist the ones that succeed -> roll back
if health collapsed -> record the cycle.

Health is the metric phi (0-1), read from ``data/monitor/real_metrics.json``
(key ``phi``) relative to the working directory, 0.5 when missing or invalid.
Below ``phi_threshold`` nothing is synthesized.  After the components are
added, phi is read again; if it fell below the threshold or to less than
half its value before, the cycle's specs and files are removed again.
"""

from __future__ import annotations

import json
import logging
import math
import os
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional, Union

from .architecture_evolution import ArchitectureEvolution, EvolutionStrategy
from .code_synthesizer import CodeSynthesizer, signed_name
from .meta_architect import ComponentSpec, MetaArchitect
from .sandbox import AutopoieticSandbox, SandboxError

__all__ = ["AutopoieticManager", "CycleLog", "DEFAULT_PHI", "PHI_METRICS_PATH"]

logger = logging.getLogger(__name__)

#: phi when the metrics file is missing or unreadable.
DEFAULT_PHI = 0.5
#: Where phi is read from, relative to the working directory.
PHI_METRICS_PATH = Path("data") / "monitor" / "real_metrics.json"

PathLike = Union[str, "os.PathLike[str]"]


@dataclass
class CycleLog:
    """What one cycle did.  ``strategy`` is the ``EvolutionStrategy`` member
    (the history file writes its name); ``synthesized_components`` the spec
    names kept; ``executions`` holds, per synthesized component, the
    sandbox's verdict (name, strategy name, success, isolation,
    execution_time in seconds, limit_exceeded, refused_by_validator)."""

    cycle_id: int
    metrics: dict[str, Any]
    strategy: EvolutionStrategy
    synthesized_components: list[str]
    timestamp: float
    phi_before: float
    phi_after: float
    rolled_back: bool = False
    executions: list[dict[str, Any]] = field(default_factory=list)

    def to_json_dict(self) -> dict[str, Any]:
        """The log as plain JSON data (the strategy by its name, "EXPAND")."""
        record = asdict(self)
        record["strategy"] = self.strategy.name
        return record


def _atomic_write(path: Path, data: bytes) -> None:
    """Replace path with data: readers see the old or the new file, whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


class AutopoieticManager:
    """Runs autopoietic cycles over a set of component specs.

    ``AutopoieticManager(meta_architect=None, evolution_engine=None,
    synthesizer=None, initial_specs=None,
    history_path="data/autopoietic/history.jsonl",
    synthesized_code_dir="data/autopoietic/synthesized", phi_threshold=0.05,
    *, sandbox=None, metrics_path=PHI_METRICS_PATH)``

    ``initial_specs``: a mapping name -> ComponentSpec (the historical form;
    a key that is not its spec's name raises ``ValueError``) or an iterable
    of specs.  ``specs`` is a dict name -> spec, ``history`` the list of
    ``CycleLog``.

    ``sandbox`` is the ``AutopoieticSandbox`` every component runs in (one
    with default limits is made, and cleaned up by ``close()``, if not
    given).  Relative paths are taken relative to the working directory at
    the time of use.  Use as a context manager to close it.
    """

    def __init__(
        self,
        meta_architect: Optional[MetaArchitect] = None,
        evolution_engine: Optional[ArchitectureEvolution] = None,
        synthesizer: Optional[CodeSynthesizer] = None,
        initial_specs: Union[Mapping[str, ComponentSpec], Iterable[ComponentSpec], None] = None,
        history_path: PathLike = Path("data") / "autopoietic" / "history.jsonl",
        synthesized_code_dir: PathLike = Path("data") / "autopoietic" / "synthesized",
        phi_threshold: float = 0.05,
        *,
        sandbox: Optional[AutopoieticSandbox] = None,
        metrics_path: PathLike = PHI_METRICS_PATH,
    ) -> None:
        if isinstance(phi_threshold, bool) or not isinstance(phi_threshold, (int, float)):
            raise TypeError("phi_threshold must be a number")
        if not 0 <= phi_threshold <= 1:
            raise ValueError(f"phi_threshold must be between 0 and 1, got {phi_threshold}")
        self.meta_architect = meta_architect or MetaArchitect()
        self.evolution_engine = evolution_engine or ArchitectureEvolution()
        self.synthesizer = synthesizer or CodeSynthesizer()
        self.history_path = Path(history_path)
        self.synthesized_code_dir = Path(synthesized_code_dir)
        self.metrics_path = Path(metrics_path)
        self.phi_threshold = float(phi_threshold)
        self._own_sandbox = sandbox is None
        self.sandbox = sandbox if sandbox is not None else AutopoieticSandbox()
        self._specs: dict[str, ComponentSpec] = {}
        self.history: list[CycleLog] = []
        if isinstance(initial_specs, Mapping):
            for key, spec in initial_specs.items():
                if isinstance(spec, ComponentSpec) and key != spec.name:
                    raise ValueError(f"initial_specs maps {key!r} to the spec named {spec.name!r}")
                self.register_spec(spec)
        else:
            for spec in initial_specs or ():
                self.register_spec(spec)

    def __enter__(self) -> "AutopoieticManager":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Clean up the sandbox if this manager made it."""
        if self._own_sandbox:
            self.sandbox.cleanup()

    @property
    def specs(self) -> dict[str, ComponentSpec]:
        """A copy of the registered specs, name -> spec, in registration order."""
        return dict(self._specs)

    def register_spec(self, spec: ComponentSpec) -> None:
        """Add a spec.  Raises ``TypeError`` for non-specs, ``ValueError`` for a taken name."""
        if not isinstance(spec, ComponentSpec):
            raise TypeError(f"register_spec takes a ComponentSpec, not {type(spec).__name__}")
        if spec.name in self._specs:
            raise ValueError(f"a spec named {spec.name!r} is already registered")
        self._specs[spec.name] = spec

    def _get_current_phi(self) -> float:
        """phi from the metrics file (key ``phi``, a number in 0-1), else 0.5."""
        try:
            data = json.loads(self.metrics_path.read_text(encoding="utf-8"))
            phi = data["phi"]
            if isinstance(phi, bool) or not isinstance(phi, (int, float)) or not math.isfinite(phi):
                raise ValueError(f"phi is {phi!r}")
            return min(1.0, max(0.0, float(phi)))
        except FileNotFoundError:
            return DEFAULT_PHI
        except (OSError, ValueError, KeyError, TypeError) as exc:
            logger.warning("cannot read phi from %s (%s); using %s", self.metrics_path, exc, DEFAULT_PHI)
            return DEFAULT_PHI

    def component_path(self, name: str) -> Path:
        """Where the component called name is persisted."""
        return self.synthesized_code_dir / f"{name}.py"

    def run_cycle(self, metrics: Mapping[str, object]) -> CycleLog:
        """run_cycle(metrics) -> CycleLog

        ``metrics``: ``error_rate`` (0-1), ``cpu_usage`` (%), ``latency_ms``
        (ms); see ArchitectureEvolution.  Every synthesized component runs
        through ``AutopoieticSandbox.execute_component``; only those with
        ``success`` are kept.  Raises ``TypeError``/``ValueError`` for bad
        metrics and ``OSError`` when the history or a component cannot be
        written.
        """
        phi_before = self._get_current_phi()
        batch = self.evolution_engine.propose_evolution(self._specs, metrics)
        cycle_id = len(self.history) + 1
        accepted: list[ComponentSpec] = []
        executions: list[dict[str, Any]] = []
        rolled_back = False
        if phi_before < self.phi_threshold:
            logger.info("cycle %d: phi %.3f is below %.3f; nothing synthesized", cycle_id, phi_before,
                        self.phi_threshold)
            phi_after = phi_before
        else:
            new_specs = [s for s in batch.specs if s.name not in self._specs]
            components = self.synthesizer.synthesize(new_specs)
            for spec in new_specs:
                component = components[signed_name(spec.name)]
                record: dict[str, Any] = {"name": spec.name, "strategy": batch.strategy.name,
                                          "refused_by_validator": False}
                try:
                    result = self.sandbox.execute_component(component.source_code, spec.name)
                except SandboxError as exc:
                    record.update(success=False, isolation="not-run", execution_time=0.0, limit_exceeded=None,
                                  refused_by_validator=True, error=str(exc))
                else:
                    record.update(success=result["success"], isolation=result["isolation"],
                                  execution_time=result["execution_time"],
                                  limit_exceeded=result["limit_exceeded"], error=result["error"][-2000:])
                executions.append(record)
                if record["success"]:
                    _atomic_write(self.component_path(spec.name), component.source_code.encode("utf-8"))
                    self.register_spec(spec)
                    accepted.append(spec)
            phi_after = self._get_current_phi()
            if accepted and (phi_after < self.phi_threshold or phi_after < phi_before / 2):
                logger.warning("cycle %d: phi fell from %.3f to %.3f; rolling back %d components", cycle_id,
                               phi_before, phi_after, len(accepted))
                for spec in accepted:
                    del self._specs[spec.name]
                    self.component_path(spec.name).unlink(missing_ok=True)
                rolled_back = True
        log = CycleLog(
            cycle_id=cycle_id,
            metrics=dict(metrics),
            strategy=batch.strategy,
            synthesized_components=[] if rolled_back else [s.name for s in accepted],
            timestamp=time.time(),
            phi_before=phi_before,
            phi_after=phi_after,
            rolled_back=rolled_back,
            executions=executions,
        )
        self._append_history(log)
        self.history.append(log)
        return log

    def _append_history(self, log: CycleLog) -> None:
        """One JSON line per cycle.  The file is rewritten and renamed into
        place, so a crash mid-write leaves the earlier lines as they were."""
        try:
            existing = self.history_path.read_bytes()
        except FileNotFoundError:
            existing = b""
        if existing and not existing.endswith(b"\n"):
            existing += b"\n"
        line = json.dumps(log.to_json_dict(), sort_keys=True, ensure_ascii=False).encode("utf-8") + b"\n"
        _atomic_write(self.history_path, existing + line)
