"""China's working days: statutory holidays and make-up working days (调休)."""
from datetime import date, timedelta

import chinese_calendar


def is_workday(day: date) -> bool:
    """True on a working day; a year the calendar package does not know falls back to Monday–Friday."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def is_provisional(day: date) -> bool:
    """True when the day's year is not in the package's calendar yet (its schedule is published each November)."""
    try:
        chinese_calendar.is_workday(day)
        return False
    except NotImplementedError:
        return True


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
