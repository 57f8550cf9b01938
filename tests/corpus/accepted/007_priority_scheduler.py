import heapq
import itertools
import logging
from dataclasses import dataclass, field
from typing import Any, List

logger = logging.getLogger(__name__)


@dataclass(order=True)
class ScheduledTask:
    priority: int
    sequence: int
    name: str = field(compare=False)
    payload: Any = field(default=None, compare=False)


class PriorityScheduler:
    """Schedules tasks by priority (lower number runs first).

    Ties are broken by insertion order so that equal-priority tasks run
    FIFO, which is the standard heapq recipe from the Python docs.
    """

    _security_signature = "modulo_autopoiesis_data_priority_scheduler"
    _generated_in_sandbox = True

    def __init__(self):
        self._heap: List[ScheduledTask] = []
        self._counter = itertools.count()
        self.completed: List[str] = []

    def submit(self, name: str, priority: int = 10, payload: Any = None) -> ScheduledTask:
        task = ScheduledTask(priority, next(self._counter), name, payload)
        heapq.heappush(self._heap, task)
        logger.debug("Submitted %s with priority %d", name, priority)
        return task

    def __len__(self):
        return len(self._heap)

    def next_task(self) -> ScheduledTask:
        if not self._heap:
            raise IndexError("no tasks scheduled")
        return heapq.heappop(self._heap)

    def run(self):
        self.submit("send-report", priority=5)
        self.submit("cleanup", priority=20)
        self.submit("urgent-fix", priority=1, payload={"ticket": 1234})
        self.submit("refresh-cache", priority=5)
        self.submit("backup", priority=10)

        while self:
            task = self.next_task()
            self.completed.append(task.name)
            print(f"[p={task.priority:>2}] running {task.name} payload={task.payload}")
        print("Order:", " -> ".join(self.completed))
