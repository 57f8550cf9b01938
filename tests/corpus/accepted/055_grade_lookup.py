import bisect
from dataclasses import dataclass, field
from typing import List, Tuple


@dataclass
class GradeScale:
    breakpoints: List[int] = field(default_factory=lambda: [60, 70, 80, 90])
    grades: str = "FDCBA"

    def grade(self, score: float) -> str:
        return self.grades[bisect.bisect(self.breakpoints, score)]


class TimeSeries:
    def __init__(self):
        self.times: List[float] = []
        self.values: List[float] = []

    def insert(self, t: float, value: float) -> None:
        index = bisect.bisect_left(self.times, t)
        self.times.insert(index, t)
        self.values.insert(index, value)

    def value_at(self, t: float) -> float:
        """Linear interpolation between the neighbouring samples."""
        i = bisect.bisect_left(self.times, t)
        if i == 0:
            return self.values[0]
        if i == len(self.times):
            return self.values[-1]
        t0, t1 = self.times[i - 1], self.times[i]
        v0, v1 = self.values[i - 1], self.values[i]
        return v0 + (v1 - v0) * (t - t0) / (t1 - t0)

    def window(self, start: float, end: float) -> List[Tuple[float, float]]:
        lo = bisect.bisect_left(self.times, start)
        hi = bisect.bisect_right(self.times, end)
        return list(zip(self.times[lo:hi], self.values[lo:hi]))


class GradeBook:
    _security_signature = "modulo_autopoiesis_data_grade_book"
    _generated_in_sandbox = True

    def __init__(self):
        self.scale = GradeScale()
        self.scores = {"ann": 93, "bob": 59.5, "cyd": 77, "dee": 88, "eve": 70, "fay": 100}

    def run(self):
        for name, score in sorted(self.scores.items()):
            print(f"{name}: {score:>5} -> {self.scale.grade(score)}")
        ranking: List[int] = []
        for score in self.scores.values():
            bisect.insort(ranking, score)
        print("sorted:", ranking)
        ts = TimeSeries()
        for t, v in [(0, 10.0), (10, 20.0), (5, 12.0), (20, 0.0)]:
            ts.insert(t, v)
        print("t=7.5 ->", ts.value_at(7.5), "| t=15 ->", ts.value_at(15), "| window:", ts.window(4, 12))
