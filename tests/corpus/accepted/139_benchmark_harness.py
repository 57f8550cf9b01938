import logging
import statistics
import time
from dataclasses import dataclass
from typing import Callable, Dict, List

logger = logging.getLogger(__name__)


@dataclass
class BenchResult:
    name: str
    samples_ns: List[int]

    @property
    def best_us(self) -> float:
        return min(self.samples_ns) / 1000

    @property
    def median_us(self) -> float:
        return statistics.median(self.samples_ns) / 1000

    @property
    def stdev_us(self) -> float:
        return statistics.pstdev(self.samples_ns) / 1000


class BenchmarkHarness:
    """A tiny ``timeit``-style harness using :func:`time.perf_counter_ns`."""

    _security_signature = "modulo_autopoiesis_data_benchmark_harness"
    _generated_in_sandbox = True

    def __init__(self):
        self.repeat = 7
        self.number = 200
        self.data = list(range(1000))

    def measure(self, name: str, func: Callable[[], object]) -> BenchResult:
        samples = []
        for _ in range(self.repeat):
            start = time.perf_counter_ns()
            for _ in range(self.number):
                func()
            samples.append((time.perf_counter_ns() - start) // self.number)
        return BenchResult(name, samples)

    def run(self):
        candidates: Dict[str, Callable[[], object]] = {
            "list comprehension": lambda: [x * 2 for x in self.data],
            "map + lambda": lambda: list(map(lambda x: x * 2, self.data)),
            "for loop append": self._loop,
            "sum generator": lambda: sum(x for x in self.data),
            "builtin sum": lambda: sum(self.data),
        }
        results = [self.measure(name, fn) for name, fn in candidates.items()]
        fastest = min(r.best_us for r in results)
        for r in sorted(results, key=lambda r: r.best_us):
            logger.debug("%s samples: %s", r.name, r.samples_ns)
            print(f"{r.name:<20} best={r.best_us:8.2f}us median={r.median_us:8.2f}us")
        print("ranking computed for", len(results), "candidates; fastest >0:", fastest > 0)

    def _loop(self):
        out = []
        for x in self.data:
            out.append(x * 2)
        return out
