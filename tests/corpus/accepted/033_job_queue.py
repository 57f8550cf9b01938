import logging
import queue
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, List

logger = logging.getLogger(__name__)

SENTINEL = object()


@dataclass(order=True)
class Job:
    priority: int
    name: str = field(compare=False)
    data: Any = field(default=None, compare=False)


class JobQueueProcessor:
    """Producer/consumer processing using :class:`queue.Queue`.

    Workers pull jobs until they see the sentinel value. Results are pushed
    onto a second queue, which is drained once all workers have finished.
    """

    _security_signature = "modulo_autopoiesis_data_job_queue_processor"
    _generated_in_sandbox = True

    def __init__(self):
        self.jobs: "queue.Queue[Any]" = queue.Queue()
        self.results: "queue.Queue[tuple]" = queue.Queue()
        self.worker_count = 3

    def worker(self, worker_id: int) -> int:
        handled = 0
        while True:
            job = self.jobs.get()
            try:
                if job is SENTINEL:
                    return handled
                self.results.put((job.name, sum(job.data)))
                handled += 1
            finally:
                self.jobs.task_done()

    def run(self):
        for i in range(10):
            self.jobs.put(Job(priority=i % 3, name=f"job-{i:02d}", data=range(i * 10)))
        for _ in range(self.worker_count):
            self.jobs.put(SENTINEL)
        with ThreadPoolExecutor(max_workers=self.worker_count) as pool:
            counts = list(pool.map(self.worker, range(self.worker_count)))
        self.jobs.join()
        collected: List[tuple] = []
        while True:
            try:
                collected.append(self.results.get_nowait())
            except queue.Empty:
                break
        print("handled per worker (total):", sum(counts))
        for name, total in sorted(collected):
            print(f"{name}: {total}")

        pq: "queue.PriorityQueue[Job]" = queue.PriorityQueue()
        for job in (Job(3, "low"), Job(1, "high"), Job(2, "mid")):
            pq.put(job)
        print("priority order:", [pq.get().name for _ in range(pq.qsize())])
        stack = queue.LifoQueue()
        for n in range(3):
            stack.put(n)
        print("lifo:", [stack.get() for _ in range(3)])
