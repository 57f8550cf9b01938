import calendar
from datetime import date


def last_weekday_of_month(year: int, month: int, weekday: int) -> date:
    weeks = calendar.monthcalendar(year, month)
    day = weeks[-1][weekday] or weeks[-2][weekday]
    return date(year, month, day)


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    days = [week[weekday] for week in calendar.monthcalendar(year, month) if week[weekday]]
    return date(year, month, days[n - 1])


def count_weekdays(year: int, month: int) -> dict:
    counts = dict.fromkeys(calendar.day_abbr, 0)
    for day, weekday in calendar.Calendar().itermonthdays2(year, month):
        if day:
            counts[calendar.day_abbr[weekday]] += 1
    return counts


if __name__ == "__main__":
    cal = calendar.TextCalendar(firstweekday=calendar.MONDAY)
    print(cal.formatmonth(2024, 5))
    print("Memorial Day 2024:", last_weekday_of_month(2024, 5, calendar.MONDAY))
    print("Thanksgiving 2024:", nth_weekday(2024, 11, calendar.THURSDAY, 4))
    print(count_weekdays(2024, 2))
    print(calendar.leapdays(2000, 2025), calendar.weekday(2024, 1, 1), list(calendar.month_abbr)[1:4])
    html = calendar.HTMLCalendar(calendar.SUNDAY).formatmonth(2024, 1)
    print(html.splitlines()[0], len(html))
    print(calendar.timegm((2024, 1, 1, 0, 0, 0)))
