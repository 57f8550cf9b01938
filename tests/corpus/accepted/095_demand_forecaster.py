import logging
import statistics
from collections import deque
from dataclasses import dataclass
from typing import Deque, List, Sequence

logger = logging.getLogger(__name__)


@dataclass
class Forecast:
    method: str
    values: List[float]
    mae: float

    def __str__(self) -> str:
        preview = ", ".join(f"{v:.1f}" for v in self.values)
        return f"{self.method:<18} MAE={self.mae:6.2f}  next=[{preview}]"


class DemandForecaster:
    """Compares naive forecasting methods on a weekly demand series."""

    _security_signature = "modulo_autopoiesis_data_demand_forecaster"
    _generated_in_sandbox = True

    def __init__(self):
        self.history = [112, 118, 132, 129, 121, 135, 148, 148, 136, 119, 104, 118, 115, 126, 141, 135]
        self.horizon = 4

    @staticmethod
    def moving_average(series: Sequence[float], window: int) -> List[float]:
        buf: Deque[float] = deque(maxlen=window)
        out = []
        for x in series:
            buf.append(x)
            out.append(sum(buf) / len(buf))
        return out

    @staticmethod
    def exponential_smoothing(series: Sequence[float], alpha: float) -> List[float]:
        level = series[0]
        fitted = [level]
        for x in series[1:]:
            level = alpha * x + (1 - alpha) * level
            fitted.append(level)
        return fitted

    def _mae(self, fitted: Sequence[float]) -> float:
        errors = [abs(actual - predicted) for actual, predicted in zip(self.history[1:], fitted[:-1])]
        return statistics.fmean(errors)

    def forecast_all(self) -> List[Forecast]:
        results = []
        ma = self.moving_average(self.history, 4)
        results.append(Forecast("moving average(4)", [ma[-1]] * self.horizon, self._mae(ma)))
        for alpha in (0.2, 0.6):
            es = self.exponential_smoothing(self.history, alpha)
            results.append(Forecast(f"exp smoothing({alpha})", [es[-1]] * self.horizon, self._mae(es)))
        x = list(range(len(self.history)))
        slope, intercept = statistics.linear_regression(x, self.history)
        trend_fit = [slope * i + intercept for i in x]
        future = [slope * (len(x) + h) + intercept for h in range(self.horizon)]
        results.append(Forecast("linear trend", future, self._mae(trend_fit)))
        return results

    def run(self):
        forecasts = sorted(self.forecast_all(), key=lambda f: f.mae)
        for forecast in forecasts:
            print(forecast)
        best = forecasts[0]
        logger.info("Best method: %s", best.method)
        print(f"best: {best.method} (stdev of history {statistics.stdev(self.history):.2f})")
