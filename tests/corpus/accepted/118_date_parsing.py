import time
from datetime import date, datetime, timedelta, timezone
from typing import Optional

FORMATS = [
    "%Y-%m-%d",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M:%S%z",
    "%d/%m/%Y",
    "%d %b %Y",
    "%B %d, %Y",
    "%Y%m%d",
]


def parse_date(text: str) -> Optional[datetime]:
    text = text.strip()
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    for fmt in FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def relative(moment: datetime, now: datetime) -> str:
    delta = now - moment
    if delta < timedelta(0):
        return "in the future"
    if delta < timedelta(minutes=1):
        return "just now"
    if delta < timedelta(hours=1):
        return f"{delta.seconds // 60} minutes ago"
    if delta < timedelta(days=1):
        return f"{delta.seconds // 3600} hours ago"
    if delta.days == 1:
        return "yesterday"
    return f"{delta.days} days ago"


if __name__ == "__main__":
    for s in ["2024-02-29", "2024-02-29T14:30:00", "2024-02-29T14:30:00+0200", "29/02/2024",
              "29 Feb 2024", "February 29, 2024", "20240229", "2023-02-29", "not a date"]:
        parsed = parse_date(s)
        print(f"{s!r:30} -> {parsed.isoformat() if parsed else None}")
    now = datetime(2024, 3, 1, 12, 0)
    for m in (now - timedelta(seconds=10), now - timedelta(minutes=42), now - timedelta(hours=5), now - timedelta(days=1, hours=2), now - timedelta(days=40)):
        print(relative(m, now))
    print(time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(0)), time.gmtime(86400 * 365).tm_year)
    print(date(2024, 1, 1).isocalendar(), date.fromisoformat("2024-12-31").timetuple().tm_yday)
    print(datetime(2024, 1, 1, tzinfo=timezone.utc).timestamp(), datetime.fromtimestamp(0, tz=timezone.utc))
