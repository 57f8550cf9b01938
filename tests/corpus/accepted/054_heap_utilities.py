import heapq
import random
from typing import Iterable, List, Tuple


def top_k(items: Iterable[Tuple[str, int]], k: int) -> List[Tuple[str, int]]:
    return heapq.nlargest(k, items, key=lambda pair: pair[1])


def merge_sorted_logs(*streams):
    """Merge several already-sorted log streams by timestamp."""
    return heapq.merge(*streams, key=lambda entry: entry[0])


class RunningMedian:
    """Maintain the running median with two heaps."""

    def __init__(self):
        self.low: List[int] = []   # max-heap via negation
        self.high: List[int] = []  # min-heap

    def add(self, value: int) -> None:
        if not self.low or value <= -self.low[0]:
            heapq.heappush(self.low, -value)
        else:
            heapq.heappush(self.high, value)
        if len(self.low) > len(self.high) + 1:
            heapq.heappush(self.high, -heapq.heappop(self.low))
        elif len(self.high) > len(self.low):
            heapq.heappush(self.low, -heapq.heappop(self.high))

    def median(self) -> float:
        if len(self.low) > len(self.high):
            return float(-self.low[0])
        return (-self.low[0] + self.high[0]) / 2


def dijkstra(graph, source):
    dist = {source: 0}
    heap = [(0, source)]
    while heap:
        d, node = heapq.heappop(heap)
        if d > dist.get(node, float("inf")):
            continue
        for neighbour, weight in graph.get(node, {}).items():
            nd = d + weight
            if nd < dist.get(neighbour, float("inf")):
                dist[neighbour] = nd
                heapq.heappush(heap, (nd, neighbour))
    return dist


if __name__ == "__main__":
    scores = [("ann", 88), ("bo", 95), ("cy", 72), ("di", 99), ("ed", 85)]
    print(top_k(scores, 3))
    print(heapq.nsmallest(2, [5, 1, 8, 3, 9]))
    a = [(1, "a: boot"), (5, "a: ready")]
    b = [(2, "b: connect"), (3, "b: auth"), (8, "b: close")]
    print([msg for _, msg in merge_sorted_logs(a, b)])
    rng = random.Random(0)
    rm = RunningMedian()
    medians = []
    for v in (rng.randint(0, 100) for _ in range(9)):
        rm.add(v)
        medians.append(rm.median())
    print(medians)
    graph = {"A": {"B": 1, "C": 4}, "B": {"C": 2, "D": 5}, "C": {"D": 1}, "D": {}}
    print(dijkstra(graph, "A"))
    h = [9, 4, 7, 1]
    heapq.heapify(h)
    print(heapq.heappushpop(h, 3), heapq.heapreplace(h, 10), sorted(h))
