"""China's working days: statutory holidays and make-up working days (调休), corrected by the override table."""
from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar
from flask import g, has_app_context, has_request_context, request


@lru_cache(maxsize=4096)
def _package_says(day: date) -> bool | None:
    """The calendar package's answer, or None for a year it does not know (it raises for those)."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None


def request_cache() -> dict:
    """A dict that lives as long as the current request, or the app context of a job or command."""
    if has_request_context():
        return request.environ.setdefault("tracker.cache", {})
    if "_tracker_cache" not in g:
        g._tracker_cache = {}
    return g._tracker_cache


def _overrides() -> tuple[dict, set]:
    """The override table and the confirmed years, read once per request or job."""
    if not has_app_context():
        return {}, set()
    cache = request_cache()
    cached = cache.get("calendar")
    if cached is None:
        from tracker.extensions import db
        from tracker.models import CalendarOverride, CalendarYear
        with db.session.no_autoflush:
            days = dict(db.session.execute(db.select(CalendarOverride.day, CalendarOverride.is_workday)).all())
            years = set(db.session.scalars(db.select(CalendarYear.year)))
        cached = cache["calendar"] = (days, years)
    return cached


def invalidate() -> None:
    """Forget the cached override table (after it was edited in this app context)."""
    if has_app_context():
        request_cache().pop("calendar", None)


def is_workday(day: date) -> bool:
    """True on a working day; a year the calendar package does not know falls back to Monday–Friday."""
    override = _overrides()[0].get(day)
    if override is not None:
        return override
    known = _package_says(day)
    return known if known is not None else day.weekday() < 5


def is_provisional(day: date) -> bool:
    """True when the day's year is neither in the package's calendar nor confirmed in the override table."""
    return _package_says(day) is None and day.year not in _overrides()[1]


def is_known_year(year: int) -> bool:
    """The package knows the year (its schedule is published each November)."""
    return _package_says(date(year, 7, 1)) is not None


def effective_due(due: date) -> date:
    """A due date on a day off is met by the next working day (民法典 art. 203)."""
    day = due
    while not is_workday(day):
        day += timedelta(days=1)
    return day


def workdays_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end`; negative when `end` comes first."""
    if end < start:
        return -workdays_between(end, start)
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += is_workday(day)
    return count


def add_workdays(start: date, n: int) -> date:
    """The date n working days after `start`."""
    day, left = start, n
    while left > 0:
        day += timedelta(days=1)
        if is_workday(day):
            left -= 1
    return day


def sub_workdays(start: date, n: int) -> date:
    """The working day n working days before `start` (n ≥ 1)."""
    day, left = start, n
    while left > 0:
        day -= timedelta(days=1)
        if is_workday(day):
            left -= 1
    return day


def nth_workday_from(first: date, n: int) -> date:
    """The n-th working day counting from `first` itself (n ≥ 1)."""
    return add_workdays(first - timedelta(days=1), n)


def any_provisional(start: date, end: date) -> bool:
    """True when any year from start to end is provisional."""
    return any(is_provisional(date(y, 1, 1)) for y in range(start.year, end.year + 1))
