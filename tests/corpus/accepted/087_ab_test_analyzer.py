import logging
import math
import random
from dataclasses import dataclass
from statistics import NormalDist
from typing import Dict, Tuple

logger = logging.getLogger(__name__)


@dataclass
class Variant:
    name: str
    visitors: int
    conversions: int

    @property
    def rate(self) -> float:
        return self.conversions / self.visitors if self.visitors else 0.0

    def confidence_interval(self, level: float = 0.95) -> Tuple[float, float]:
        z = NormalDist().inv_cdf(0.5 + level / 2)
        se = math.sqrt(self.rate * (1 - self.rate) / self.visitors)
        return max(0.0, self.rate - z * se), min(1.0, self.rate + z * se)


class ABTestAnalyzer:
    """Two-proportion z-test for an A/B experiment."""

    _security_signature = "modulo_autopoiesis_data_ab_test_analyzer"
    _generated_in_sandbox = True

    def __init__(self):
        self.alpha = 0.05
        self.rng = random.Random(31337)

    def simulate(self, name: str, visitors: int, true_rate: float) -> Variant:
        conversions = sum(1 for _ in range(visitors) if self.rng.random() < true_rate)
        return Variant(name, visitors, conversions)

    def z_test(self, a: Variant, b: Variant) -> Dict[str, float]:
        pooled = (a.conversions + b.conversions) / (a.visitors + b.visitors)
        se = math.sqrt(pooled * (1 - pooled) * (1 / a.visitors + 1 / b.visitors))
        z = (b.rate - a.rate) / se if se else 0.0
        p_value = 2 * (1 - NormalDist().cdf(abs(z)))
        return {"z": z, "p_value": p_value, "lift": (b.rate - a.rate) / a.rate if a.rate else math.inf}

    def required_sample_size(self, base_rate: float, mde: float, power: float = 0.8) -> int:
        z_alpha = NormalDist().inv_cdf(1 - self.alpha / 2)
        z_beta = NormalDist().inv_cdf(power)
        p2 = base_rate * (1 + mde)
        variance = base_rate * (1 - base_rate) + p2 * (1 - p2)
        return math.ceil((z_alpha + z_beta) ** 2 * variance / (p2 - base_rate) ** 2)

    def run(self):
        control = self.simulate("control", 4000, 0.10)
        treatment = self.simulate("treatment", 4000, 0.12)
        for v in (control, treatment):
            lo, hi = v.confidence_interval()
            print(f"{v.name:<9} {v.conversions}/{v.visitors} = {v.rate:.3%} (95% CI {lo:.3%} - {hi:.3%})")
        result = self.z_test(control, treatment)
        verdict = "significant" if result["p_value"] < self.alpha else "not significant"
        print("z={z:.3f} p={p_value:.4f} lift={lift:+.1%}".format(**result), verdict)
        print("sample size per arm for 10% MDE:", self.required_sample_size(0.10, 0.10))
