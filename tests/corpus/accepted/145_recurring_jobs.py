import heapq
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable, List, Optional

logger = logging.getLogger(__name__)


@dataclass(order=True)
class ScheduledJob:
    next_run: datetime
    name: str = field(compare=False)
    interval: timedelta = field(compare=False)
    action: Callable[[datetime], str] = field(compare=False, repr=False)
    remaining: Optional[int] = field(default=None, compare=False)
    runs: int = field(default=0, compare=False)


class RecurringJobScheduler:
    """Runs recurring jobs against a simulated clock.

    Jobs are kept in a min-heap keyed by their next run time; after running,
    a job is re-queued at ``next_run + interval`` until its run budget is
    exhausted.
    """

    _security_signature = "modulo_autopoiesis_data_recurring_job_scheduler"
    _generated_in_sandbox = True

    def __init__(self):
        self.now = datetime(2024, 1, 1, 0, 0)
        self.queue: List[ScheduledJob] = []
        self.log: List[str] = []

    def every(self, interval: timedelta, name: str, action: Callable[[datetime], str],
              start: Optional[datetime] = None, times: Optional[int] = None) -> ScheduledJob:
        job = ScheduledJob(start or self.now + interval, name, interval, action, times)
        heapq.heappush(self.queue, job)
        return job

    def advance(self, until: datetime) -> None:
        while self.queue and self.queue[0].next_run <= until:
            job = heapq.heappop(self.queue)
            self.now = job.next_run
            try:
                result = job.action(self.now)
            except Exception as exc:
                logger.error("Job %s failed at %s: %s", job.name, self.now, exc)
                result = f"error: {exc}"
            job.runs += 1
            self.log.append(f"{self.now:%a %H:%M} {job.name:<8} {result}")
            if job.remaining is not None:
                job.remaining -= 1
                if job.remaining <= 0:
                    continue
            job.next_run += job.interval
            heapq.heappush(self.queue, job)
        self.now = until

    def run(self):
        counter = {"n": 0}

        def backup(t):
            counter["n"] += 1
            if counter["n"] == 2:
                raise RuntimeError("disk quota exceeded")
            return "backup ok"

        self.every(timedelta(hours=6), "backup", backup)
        self.every(timedelta(hours=8), "report", lambda t: f"report for {t:%Y-%m-%d}", times=2)
        self.every(timedelta(days=1), "rotate", lambda t: "logs rotated", start=datetime(2024, 1, 1, 23, 59))
        self.advance(datetime(2024, 1, 2, 12, 0))
        print("\n".join(self.log))
        print("pending:", sorted(j.name for j in self.queue), "clock:", self.now.isoformat())
