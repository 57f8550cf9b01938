import logging
import time
from dataclasses import dataclass, field
from enum import Enum
from typing import Callable, Dict, List

logger = logging.getLogger("health")


class Status(Enum):
    HEALTHY = "healthy"
    DEGRADED = "degraded"
    UNHEALTHY = "unhealthy"


@dataclass
class CheckResult:
    name: str
    status: Status
    latency_ms: float
    detail: str = ""


@dataclass
class HealthReport:
    results: List[CheckResult] = field(default_factory=list)

    @property
    def overall(self) -> Status:
        statuses = {r.status for r in self.results}
        if Status.UNHEALTHY in statuses:
            return Status.UNHEALTHY
        if Status.DEGRADED in statuses:
            return Status.DEGRADED
        return Status.HEALTHY


class HealthChecker:
    """Runs registered health checks and aggregates their status.

    Checks are plain callables that return a detail string or raise. A check
    slower than ``slow_threshold_ms`` is reported as degraded.
    """

    _security_signature = "modulo_autopoiesis_data_health_checker"
    _generated_in_sandbox = True

    def __init__(self):
        self.checks: Dict[str, Callable[[], str]] = {}
        self.slow_threshold_ms = 5.0

    def register(self, name: str, check: Callable[[], str]) -> None:
        self.checks[name] = check

    def check_all(self) -> HealthReport:
        report = HealthReport()
        for name, check in self.checks.items():
            started = time.perf_counter()
            try:
                detail = check()
                elapsed = (time.perf_counter() - started) * 1000
                status = Status.DEGRADED if elapsed > self.slow_threshold_ms else Status.HEALTHY
            except Exception as exc:
                elapsed = (time.perf_counter() - started) * 1000
                status, detail = Status.UNHEALTHY, f"{type(exc).__name__}: {exc}"
                logger.error("Health check {} failed: {}".format(name, exc))
            report.results.append(CheckResult(name, status, elapsed, detail))
        return report

    def run(self):
        self.register("memory", lambda: "512MB free")
        self.register("cache", lambda: (time.sleep(0.01), "warm")[1])

        def database():
            raise ConnectionRefusedError("db:5432 refused connection")

        self.register("database", database)
        report = self.check_all()
        for r in report.results:
            print("{:<9} {:<10} {}".format(r.name, r.status.value, r.detail))
        print("overall: {}".format(report.overall.value))
