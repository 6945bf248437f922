"""China's working days: statutory holidays and make-up working days (调休), corrected by the override table."""
from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar
from flask import has_app_context

from tracker.services.infra.caching import forget_settings, request_cache, settings
from tracker.services.validation import YEAR_MAX, YEAR_MIN

# Year tables are built for the product's years and one either side only (issue 18.3): beyond them every
# calendar says Monday–Friday, counted by arithmetic, so a far date stored before the date rule (9999-12-31,
# 0001-01-01) costs no table, where it once cost 8,000 of them a page.
FIRST, LAST = date(YEAR_MIN - 1, 1, 1), date(YEAR_MAX + 1, 12, 31)
# No calendar has more days off in a row than this; overrides that say so are not followed further.
MAX_DAYS_OFF = 31
# The most working days a step counts (40 years' worth; the rules use at most a few dozen).
MAX_STEPS = 10_000


def _weekdays_through(day: date) -> int:
    """Monday-to-Friday days from 0001-01-01 (a Monday) through `day`."""
    weeks, rest = divmod(day.toordinal(), 7)
    return weeks * 5 + min(rest, 5)


def _weekdays_between(start: date, end: date) -> int:
    """Monday-to-Friday days after `start` up to and including `end` (start ≤ end)."""
    return _weekdays_through(end) - _weekdays_through(start)


@lru_cache(maxsize=4096)
def _package_says(day: date) -> bool | None:
    """The calendar package's answer, or None for a year it does not know (it raises for those)."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None


def _read_overrides() -> tuple[dict, set]:
    from tracker.extensions import db
    from tracker.models import CalendarOverride, CalendarYear
    with db.session.no_autoflush:
        days = dict(db.session.execute(db.select(CalendarOverride.day, CalendarOverride.is_workday)).all())
        years = set(db.session.scalars(db.select(CalendarYear.year)))
    return days, years


def _overrides() -> tuple[dict, set]:
    """The override table and the confirmed years (tracker.services.infra.caching says for how long they are kept)."""
    if not has_app_context():
        return {}, set()
    return settings("calendar", _read_overrides)


def invalidate() -> None:
    """Forget the cached override table (after it was edited in this app context)."""
    forget_settings("calendar", "calendar_years")


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
    """A due date on a day off is met by the next working day (民法典 art. 203), looked for MAX_DAYS_OFF days."""
    day = due
    try:
        for _ in range(MAX_DAYS_OFF):
            if is_workday(day):
                return day
            day += timedelta(days=1)
    except OverflowError:  # past 9999-12-31
        pass
    return due


def _year_overrides(year: int) -> tuple:
    """This year's rows of the override table, as a hashable key (cached for the request)."""
    if not has_app_context():
        return ()
    per_year = request_cache().setdefault("calendar_years", {})
    if year not in per_year:
        per_year[year] = tuple(sorted((d, w) for d, w in _overrides()[0].items() if d.year == year))
    return per_year[year]


@lru_cache(maxsize=512)
def _prefix(year: int, overrides: tuple) -> tuple[int, ...]:
    """Working days of `year` up to and including each day of the year (index 0 is before 1 January)."""
    days = dict(overrides)
    counts, total, day = [0], 0, date(year, 1, 1)
    while day.year == year:
        known = days.get(day)
        if known is None:
            known = _package_says(day)
        total += known if known is not None else day.weekday() < 5
        counts.append(total)
        day += timedelta(days=1)
    return tuple(counts)


def _year_prefix(year: int) -> tuple[int, ...]:
    return _prefix(year, _year_overrides(year))


def workdays_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end`; negative when `end` comes first."""
    if end < start:
        return -workdays_between(end, start)
    # Beyond the year tables' range, Monday to Friday by arithmetic; inside it, the tables.
    outside = 0
    if start < FIRST - timedelta(days=1):
        outside += _weekdays_between(start, min(end, FIRST - timedelta(days=1)))
    if end > LAST:
        outside += _weekdays_between(max(start, LAST), end)
    start, end = max(start, FIRST - timedelta(days=1)), min(end, LAST)
    if end <= start:
        return outside
    if start < FIRST:  # 31 December before the range: nothing of its own to count
        return outside + _year_prefix(end.year)[end.timetuple().tm_yday] + sum(
            _year_prefix(y)[-1] for y in range(FIRST.year, end.year))
    # Prefix sums per year, cached across requests, instead of asking day by day: lights and digests
    # call this for every row they show (measured: ~740 day lookups per 我的任务 page, bench/page_time.py).
    full_years = sum(_year_prefix(y)[-1] for y in range(start.year, end.year))
    return (outside + full_years + _year_prefix(end.year)[end.timetuple().tm_yday]
            - _year_prefix(start.year)[start.timetuple().tm_yday])


def add_workdays(start: date, n: int) -> date:
    """The date n working days after `start` (MAX_STEPS at most; 9999-12-31 at the latest)."""
    day, left = start, min(n, MAX_STEPS)
    while left > 0 and day < date.max:
        day += timedelta(days=1)
        if is_workday(day):
            left -= 1
    return day


def sub_workdays(start: date, n: int) -> date:
    """The working day n working days before `start` (n ≥ 1; MAX_STEPS at most; 0001-01-01 at the earliest)."""
    day, left = start, min(n, MAX_STEPS)
    while left > 0 and day > date.min:
        day -= timedelta(days=1)
        if is_workday(day):
            left -= 1
    return day


def nth_workday_from(first: date, n: int) -> date:
    """The n-th working day counting from `first` itself (n ≥ 1)."""
    return add_workdays(first - timedelta(days=1), n)


def any_provisional(start: date, end: date) -> bool:
    """True when any year from start to end is provisional."""
    if start < FIRST or end > LAST:  # years no calendar knows and none can confirm
        return True
    return any(is_provisional(date(y, 1, 1)) for y in range(start.year, end.year + 1))
