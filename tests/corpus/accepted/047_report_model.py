import logging
import operator
from functools import cached_property, partial, reduce
from typing import Dict, List

logger = logging.getLogger(__name__)


class SalesReport:
    def __init__(self, region: str, monthly: List[float]):
        self.region = region
        self.monthly = monthly

    @cached_property
    def total(self) -> float:
        logger.debug("computing total for %s", self.region)
        return reduce(operator.add, self.monthly, 0.0)

    @cached_property
    def growth(self) -> List[float]:
        return [round((b - a) / a * 100, 1) for a, b in zip(self.monthly, self.monthly[1:])]

    @property
    def best_month(self) -> int:
        return max(range(len(self.monthly)), key=self.monthly.__getitem__) + 1

    def __repr__(self):
        return "SalesReport(region={0.region!r}, months={1})".format(self, len(self.monthly))


def scale(value: float, factor: float) -> float:
    return round(value * factor, 2)


class ReportBuilder:
    _security_signature = "modulo_autopoiesis_data_report_builder"
    _generated_in_sandbox = True

    def __init__(self):
        self.data: Dict[str, List[float]] = {
            "north": [120.0, 135.5, 150.25, 149.0],
            "south": [80.0, 95.0, 99.5, 120.0],
            "west": [200.0, 180.0, 210.0, 230.5],
        }
        self.reports = [SalesReport(region, values) for region, values in self.data.items()]

    def run(self):
        to_thousands = partial(scale, factor=0.001)
        for report in self.reports:
            print(report, "total=%.2f" % report.total, "growth=%s" % report.growth, "best=M%d" % report.best_month)
            assert "total" in report.__dict__
        grand = reduce(lambda acc, r: acc + r.total, self.reports, 0.0)
        print("grand total (k):", to_thousands(grand))
        product = reduce(operator.mul, range(1, 8))
        print("7! via reduce:", product)
        leader = max(self.reports, key=operator.attrgetter("total"))
        print("leader: {0.region} with {0.total:.1f}".format(leader))
