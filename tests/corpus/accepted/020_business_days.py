import calendar
from datetime import date, datetime, timedelta, timezone

HOLIDAYS = {
    date(2024, 1, 1),
    date(2024, 7, 4),
    date(2024, 12, 25),
}


def is_business_day(day: date, holidays=frozenset(HOLIDAYS)) -> bool:
    return day.weekday() < 5 and day not in holidays


def add_business_days(start: date, days: int) -> date:
    step = 1 if days >= 0 else -1
    current = start
    remaining = abs(days)
    while remaining:
        current += timedelta(days=step)
        if is_business_day(current):
            remaining -= 1
    return current


def business_days_between(start: date, end: date) -> int:
    if end < start:
        start, end = end, start
    return sum(1 for n in range((end - start).days) if is_business_day(start + timedelta(days=n)))


def month_end(year: int, month: int) -> date:
    _, last = calendar.monthrange(year, month)
    return date(year, month, last)


def humanize_delta(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            value = seconds // size
            return f"{value} {unit}{'s' if value != 1 else ''}"
    return f"{seconds} seconds"


if __name__ == "__main__":
    start = date(2024, 12, 20)
    print(add_business_days(start, 5))
    print(add_business_days(date(2024, 7, 8), -3))
    print(business_days_between(date(2024, 1, 1), date(2024, 2, 1)))
    print([month_end(2024, m).isoformat() for m in (1, 2, 3)])
    print(calendar.isleap(2024), calendar.day_name[start.weekday()])
    ts = datetime(2024, 3, 1, 12, 0, tzinfo=timezone.utc)
    print(ts.isoformat(), humanize_delta(timedelta(hours=49)), humanize_delta(timedelta(seconds=42)))
    print(calendar.month(2024, 2))
