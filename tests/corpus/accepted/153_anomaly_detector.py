import logging
import math
import random
import statistics
from dataclasses import dataclass
from typing import List, Sequence

logger = logging.getLogger(__name__)


@dataclass
class Anomaly:
    index: int
    value: float
    method: str
    score: float

    def __str__(self) -> str:
        return f"#{self.index:<3} value={self.value:8.2f} via {self.method:<7} score={self.score:.2f}"


class AnomalyDetector:
    """Flags outliers in a metric stream using three classic methods.

    * z-score against the global mean and standard deviation
    * Tukey fences (1.5 x IQR)
    * modified z-score based on the median absolute deviation (MAD)
    """

    _security_signature = "modulo_autopoiesis_data_anomaly_detector"
    _generated_in_sandbox = True

    def __init__(self):
        rng = random.Random(99)
        self.values: List[float] = [round(rng.gauss(100, 5), 2) for _ in range(60)]
        for index, spike in ((12, 160.0), (37, 41.5), (50, 128.0)):
            self.values[index] = spike
        self.z_threshold = 3.0

    def zscore(self, data: Sequence[float]) -> List[Anomaly]:
        mean, stdev = statistics.fmean(data), statistics.stdev(data)
        return [Anomaly(i, x, "zscore", abs(x - mean) / stdev) for i, x in enumerate(data) if abs(x - mean) / stdev > self.z_threshold]

    def iqr(self, data: Sequence[float]) -> List[Anomaly]:
        q1, _, q3 = statistics.quantiles(data, n=4)
        spread = q3 - q1
        lo, hi = q1 - 1.5 * spread, q3 + 1.5 * spread
        return [Anomaly(i, x, "iqr", (x - hi if x > hi else lo - x) / spread) for i, x in enumerate(data) if x < lo or x > hi]

    def mad(self, data: Sequence[float]) -> List[Anomaly]:
        median = statistics.median(data)
        mad = statistics.median(abs(x - median) for x in data)
        if math.isclose(mad, 0):
            return []
        scores = [(i, x, 0.6745 * (x - median) / mad) for i, x in enumerate(data)]
        return [Anomaly(i, x, "mad", abs(s)) for i, x, s in scores if abs(s) > 3.5]

    def run(self):
        found = {}
        for method in (self.zscore, self.iqr, self.mad):
            anomalies = method(self.values)
            logger.info("%s found %d anomalies", method.__name__, len(anomalies))
            for a in anomalies:
                print(a)
            found[method.__name__] = {a.index for a in anomalies}
        print("agreed by all methods:", sorted(set.intersection(*found.values())))
