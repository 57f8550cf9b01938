"""A tiny cron expression parser.

Supports the five standard fields (minute hour day month weekday) with
``*``, lists (``1,2``), ranges (``1-5``) and steps (``*/15``).
"""

from datetime import datetime, timedelta
from typing import List, Set

FIELDS = [("minute", 0, 59), ("hour", 0, 23), ("day", 1, 31), ("month", 1, 12), ("weekday", 0, 6)]


class CronError(ValueError):
    pass


def parse_field(expr: str, lo: int, hi: int) -> Set[int]:
    values: Set[int] = set()
    for part in expr.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            step = int(step_text)
            if step <= 0:
                raise CronError(f"invalid step in {expr!r}")
        if part == "*":
            start, end = lo, hi
        elif "-" in part:
            start, end = (int(x) for x in part.split("-", 1))
        else:
            start = end = int(part)
        if start < lo or end > hi or start > end:
            raise CronError(f"value out of range in {expr!r} (allowed {lo}-{hi})")
        values.update(range(start, end + 1, step))
    return values


class CronSchedule:
    def __init__(self, expression: str):
        parts = expression.split()
        if len(parts) != 5:
            raise CronError(f"expected 5 fields, got {len(parts)}")
        self.expression = expression
        self.fields = {name: parse_field(p, lo, hi) for p, (name, lo, hi) in zip(parts, FIELDS)}

    def matches(self, moment: datetime) -> bool:
        f = self.fields
        return (moment.minute in f["minute"] and moment.hour in f["hour"] and moment.day in f["day"]
                and moment.month in f["month"] and (moment.weekday() + 1) % 7 in f["weekday"])

    def next_runs(self, after: datetime, count: int = 3) -> List[datetime]:
        runs, moment = [], after.replace(second=0, microsecond=0) + timedelta(minutes=1)
        limit = moment + timedelta(days=366)
        while len(runs) < count and moment < limit:
            if self.matches(moment):
                runs.append(moment)
            moment += timedelta(minutes=1)
        return runs

    def __repr__(self):
        return f"CronSchedule({self.expression!r})"


if __name__ == "__main__":
    start = datetime(2024, 4, 5, 10, 7)
    for expr in ("*/15 * * * *", "0 9 * * 1-5", "30 2 1 * *", "0 0 29 2 *"):
        sched = CronSchedule(expr)
        print(sched, [d.strftime("%Y-%m-%d %H:%M") for d in sched.next_runs(start)])
    for bad in ("* * *", "61 * * * *", "*/0 * * * *"):
        try:
            CronSchedule(bad)
        except CronError as exc:
            print("error:", exc)
