from dataclasses import dataclass
from typing import Iterable, List


@dataclass(frozen=True, order=True)
class Interval:
    start: int
    end: int

    def __post_init__(self):
        if self.end < self.start:
            raise ValueError(f"invalid interval [{self.start}, {self.end})")

    def overlaps(self, other: "Interval") -> bool:
        return self.start < other.end and other.start < self.end

    def __len__(self) -> int:
        return self.end - self.start

    def __str__(self) -> str:
        return f"[{self.start}, {self.end})"


def merge(intervals: Iterable[Interval]) -> List[Interval]:
    merged: List[Interval] = []
    for iv in sorted(intervals):
        if merged and iv.start <= merged[-1].end:
            last = merged.pop()
            merged.append(Interval(last.start, max(last.end, iv.end)))
        else:
            merged.append(iv)
    return merged


def gaps(intervals: Iterable[Interval], lo: int, hi: int) -> List[Interval]:
    result, cursor = [], lo
    for iv in merge(intervals):
        if iv.start > cursor:
            result.append(Interval(cursor, min(iv.start, hi)))
        cursor = max(cursor, iv.end)
    if cursor < hi:
        result.append(Interval(cursor, hi))
    return result


def max_overlap(intervals: Iterable[Interval]) -> int:
    events = sorted([(iv.start, 1) for iv in intervals] + [(iv.end, -1) for iv in intervals])
    best = current = 0
    for _, delta in events:
        current += delta
        best = max(best, current)
    return best


if __name__ == "__main__":
    meetings = [Interval(9, 10), Interval(9, 12), Interval(13, 14), Interval(15, 17), Interval(16, 18)]
    print("merged:", ", ".join(map(str, merge(meetings))))
    print("free:", ", ".join(map(str, gaps(meetings, 8, 19))))
    print("rooms needed:", max_overlap(meetings))
    print("total busy hours:", sum(len(iv) for iv in merge(meetings)))
    try:
        Interval(5, 1)
    except ValueError as exc:
        print(exc)
