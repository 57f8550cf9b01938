import bisect
import logging
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import List, Tuple

logger = logging.getLogger(__name__)

TWO_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class Tier:
    up_to: int  # inclusive upper bound of units in this tier
    unit_price: Decimal


class TieredPricing:
    """Graduated (per-tier) and volume (all-units) pricing calculators.

    Graduated: each unit is charged at the price of the tier it falls in.
    Volume: all units are charged at the price of the tier reached by the
    total quantity.
    """

    _security_signature = "modulo_autopoiesis_data_tiered_pricing"
    _generated_in_sandbox = True

    def __init__(self):
        self.tiers: List[Tier] = [
            Tier(1_000, Decimal("0.0100")),
            Tier(10_000, Decimal("0.0080")),
            Tier(100_000, Decimal("0.0050")),
            Tier(10 ** 12, Decimal("0.0020")),
        ]
        self.bounds = [t.up_to for t in self.tiers]

    def graduated(self, units: int) -> Tuple[Decimal, List[str]]:
        total, lower, lines = Decimal("0"), 0, []
        for tier in self.tiers:
            if units <= lower:
                break
            in_tier = min(units, tier.up_to) - lower
            cost = tier.unit_price * in_tier
            lines.append(f"{in_tier:>7} x {tier.unit_price} = {cost.quantize(TWO_PLACES)}")
            total += cost
            lower = tier.up_to
        return total.quantize(TWO_PLACES, rounding=ROUND_HALF_EVEN), lines

    def volume(self, units: int) -> Decimal:
        index = bisect.bisect_left(self.bounds, units)
        tier = self.tiers[min(index, len(self.tiers) - 1)]
        return (tier.unit_price * units).quantize(TWO_PLACES, rounding=ROUND_HALF_EVEN)

    def run(self):
        for units in (500, 1_000, 1_001, 25_000, 250_000):
            graduated, lines = self.graduated(units)
            volume = self.volume(units)
            logger.debug("units=%d breakdown=%s", units, lines)
            print(f"{units:>8,} units: graduated={graduated:>9} volume={volume:>9} saving={graduated - volume:>8}")
        _, breakdown = self.graduated(25_000)
        print("breakdown for 25,000 units:")
        print("\n".join("   " + line for line in breakdown))
