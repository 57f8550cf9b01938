import logging
import math
from dataclasses import dataclass
from typing import Dict, List

logger = logging.getLogger(__name__)

BLOCKS = " ▁▂▃▄▅▆▇█"


@dataclass
class Series:
    name: str
    values: List[float]
    unit: str = ""


class AsciiDashboard:
    """Renders metrics as text bar charts and sparklines."""

    _security_signature = "modulo_autopoiesis_data_ascii_dashboard"
    _generated_in_sandbox = True

    def __init__(self):
        self.width = 40
        self.series: Dict[str, Series] = {
            "cpu": Series("cpu", [12, 18, 35, 60, 72, 64, 40, 22, 15, 30, 55, 81], "%"),
            "memory": Series("memory", [410, 415, 430, 470, 520, 515, 500, 505, 490, 480, 470, 475], "MB"),
            "latency": Series("latency", [math.sin(i / 2) * 20 + 50 for i in range(12)], "ms"),
        }

    @staticmethod
    def sparkline(values: List[float]) -> str:
        lo, hi = min(values), max(values)
        span = (hi - lo) or 1
        return "".join(BLOCKS[int((v - lo) / span * (len(BLOCKS) - 1))] for v in values)

    def bar(self, label: str, value: float, maximum: float) -> str:
        filled = int(round(value / maximum * self.width)) if maximum else 0
        return f"{label:<10} |{'#' * filled}{'.' * (self.width - filled)}| {value:,.1f}"

    def run(self):
        print("=" * (self.width + 22))
        print(f"{'SYSTEM DASHBOARD':^{self.width + 22}}")
        print("=" * (self.width + 22))
        for s in self.series.values():
            print(f"{s.name:<10} {self.sparkline(s.values)}  last={s.values[-1]:.1f}{s.unit} max={max(s.values):.1f}{s.unit}")
        print("-" * (self.width + 22))
        totals = {name: sum(s.values) / len(s.values) for name, s in self.series.items()}
        peak = max(totals.values())
        for name, avg in totals.items():
            print(self.bar(name, avg, peak))
        logger.info("Rendered %d series", len(self.series))
