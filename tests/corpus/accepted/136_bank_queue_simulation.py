"""Discrete-event simulation of a bank with several tellers.

Customers arrive following a Poisson process and are served FIFO by the
first free teller. Events are kept in a heap ordered by time.
"""

import heapq
import random
import statistics
from dataclasses import dataclass, field
from typing import List


@dataclass(order=True)
class Event:
    time: float
    kind: str = field(compare=False)
    customer: int = field(compare=False)


def simulate(tellers: int, arrival_rate: float, service_rate: float, customers: int, seed: int = 1):
    rng = random.Random(seed)
    events: List[Event] = []
    t = 0.0
    for c in range(customers):
        t += rng.expovariate(arrival_rate)
        heapq.heappush(events, Event(t, "arrive", c))
    free = tellers
    waiting: List[int] = []
    arrived_at, waits = {}, []
    while events:
        event = heapq.heappop(events)
        if event.kind == "arrive":
            arrived_at[event.customer] = event.time
            waiting.append(event.customer)
        else:
            free += 1
        while free and waiting:
            customer = waiting.pop(0)
            free -= 1
            waits.append(event.time - arrived_at[customer])
            heapq.heappush(events, Event(event.time + rng.expovariate(service_rate), "depart", customer))
    return waits


if __name__ == "__main__":
    for tellers in (1, 2, 3):
        waits = simulate(tellers, arrival_rate=1.0, service_rate=0.6, customers=500)
        print(f"tellers={tellers}: mean wait={statistics.mean(waits):7.2f}  p90={statistics.quantiles(waits, n=10)[-1]:7.2f}  max={max(waits):7.2f}")
