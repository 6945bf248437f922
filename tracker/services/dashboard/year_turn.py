"""What the committee is reminded of at the year's turn: next year's holiday calendar and the recurring tasks."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import exists, select

from tracker.extensions import db
from tracker.models import Plan, RecurringTask, User
from tracker.services.calendar.workdays import is_provisional
from tracker.services.people.access import is_calendar_keeper

# The State Council publishes next year's schedule around November: from then on the year's turn is near.
TURN_MONTH = 11


@dataclass(frozen=True)
class YearTurn:
    """The year whose holiday calendar the keeper should confirm, and the year whose recurring tasks to review."""

    calendar_year: int | None
    recurring_year: int | None

    def __bool__(self) -> bool:
        return bool(self.calendar_year or self.recurring_year)


def calendar_year_due(day: date) -> int:
    """From 1 November the coming year's calendar is the one to confirm; before, the current year's (if guessed)."""
    return day.year + 1 if day.month >= TURN_MONTH else day.year


def year_turn(user: User, day: date) -> YearTurn:
    """The reminders due for this user on this day: each only while it is still to be acted on, read-only."""
    if user.role != "committee":
        return YearTurn(None, None)
    year = calendar_year_due(day)
    calendar_year = year if is_calendar_keeper(user) and is_provisional(date(year, 1, 1)) else None
    recurring_year = None
    # This year's recurring tasks end with this year's plan (the sweep makes instances of the plan's year only).
    if day.month >= TURN_MONTH and db.session.scalar(select(exists().where(
            RecurringTask.org_id == user.org_id, RecurringTask.is_active.is_(True),
            RecurringTask.plan_id == Plan.id, Plan.year == day.year))):
        recurring_year = day.year + 1
    return YearTurn(calendar_year, recurring_year)
