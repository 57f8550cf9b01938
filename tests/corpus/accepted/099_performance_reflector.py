import logging
import pprint
import statistics
from collections import defaultdict
from dataclasses import dataclass
from typing import Dict, List

logger = logging.getLogger(__name__)


@dataclass
class ExecutionRecord:
    component: str
    version: int
    duration_ms: float
    success: bool


class PerformanceReflector:
    """Reflects on past executions to decide which component version to keep.

    Given the execution history of several generated versions of each
    component, it scores them (success rate first, then median latency) and
    recommends which one to promote. It does not reload or exec code; it
    returns a recommendation that the orchestrator acts on.
    """

    _security_signature = "modulo_autopoiesis_data_performance_reflector"
    _generated_in_sandbox = True

    def __init__(self):
        self.history: List[ExecutionRecord] = []
        samples = {
            ("parser", 1): [(12.0, True), (14.5, True), (13.1, False), (12.2, True)],
            ("parser", 2): [(8.0, True), (8.4, True), (9.1, True), (7.9, True)],
            ("parser", 3): [(5.0, False), (5.2, False), (4.8, True)],
            ("ranker", 1): [(40.0, True), (42.0, True)],
            ("ranker", 2): [(35.0, True), (70.0, True), (36.0, True)],
        }
        for (component, version), runs in samples.items():
            for duration, ok in runs:
                self.history.append(ExecutionRecord(component, version, duration, ok))

    def score(self) -> Dict[str, Dict[int, Dict[str, float]]]:
        grouped: Dict[str, Dict[int, List[ExecutionRecord]]] = defaultdict(lambda: defaultdict(list))
        for record in self.history:
            grouped[record.component][record.version].append(record)
        scores: Dict[str, Dict[int, Dict[str, float]]] = {}
        for component, versions in grouped.items():
            scores[component] = {}
            for version, records in versions.items():
                scores[component][version] = {
                    "success_rate": round(sum(r.success for r in records) / len(records), 3),
                    "median_ms": statistics.median(r.duration_ms for r in records),
                    "runs": len(records),
                }
        return scores

    def recommend(self) -> Dict[str, int]:
        recommendation = {}
        for component, versions in self.score().items():
            best = max(versions.items(), key=lambda kv: (kv[1]["success_rate"], -kv[1]["median_ms"]))
            recommendation[component] = best[0]
            logger.info("Recommend %s v%d", component, best[0])
        return recommendation

    def run(self):
        pprint.pprint(self.score(), width=100)
        for component, version in sorted(self.recommend().items()):
            print(f"promote {component} -> v{version}")
