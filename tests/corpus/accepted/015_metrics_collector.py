import logging
import statistics
import time
from collections import Counter, defaultdict
from contextlib import contextmanager
from typing import Dict, List


class MetricsCollector:
    """Collects counters and timing histograms for instrumented code.

    Example::

        metrics = MetricsCollector()
        with metrics.timer("db.query"):
            run_query()
    """

    _security_signature = "modulo_autopoiesis_data_metrics_collector"
    _generated_in_sandbox = True

    def __init__(self):
        self.counters: Counter = Counter()
        self.timings: Dict[str, List[float]] = defaultdict(list)
        self._logger = logging.getLogger(f"{__name__}.{type(self).__name__}")

    def increment(self, name: str, value: int = 1) -> None:
        self.counters[name] += value

    @contextmanager
    def timer(self, name: str):
        start = time.perf_counter()
        try:
            yield
        except Exception:
            self.increment(f"{name}.errors")
            raise
        finally:
            elapsed = (time.perf_counter() - start) * 1000
            self.timings[name].append(elapsed)
            self._logger.debug(f"{name} took {elapsed:.3f}ms")

    def summary(self) -> Dict[str, Dict[str, float]]:
        result = {}
        for name, values in self.timings.items():
            result[name] = {
                "count": len(values),
                "mean_ms": statistics.fmean(values),
                "max_ms": max(values),
                "p50_ms": statistics.median(values),
            }
        return result

    def run(self):
        for i in range(20):
            with self.timer("compute.square"):
                sum(x * x for x in range(1000 + i * 50))
            self.increment("requests")
        for i in range(5):
            try:
                with self.timer("compute.divide"):
                    _ = 10 / (i % 2)
            except ZeroDivisionError:
                pass
        print("Counters:", dict(self.counters))
        for name, stats in sorted(self.summary().items()):
            print(f"{name}: count={stats['count']} mean={stats['mean_ms']:.4f}ms")
