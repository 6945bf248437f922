"""When a 督办单 is to be answered and whether it is overdue: one rule, with its SQL twin beside it."""
from datetime import date

from sqlalchemy import and_

from tracker.models import Supervision
from tracker.services.calendar.clock import to_local
from tracker.services.calendar.workdays import add_workdays

DAYS_MIN, DAYS_MAX = 1, 60  # 答复时限 in working days


def respond_by(issued_on: date, working_days: int) -> date:
    """The answer is due `working_days` working days after the day of issue (China's calendar)."""
    return add_workdays(issued_on, working_days)


def is_overdue(item: Supervision, today: date) -> bool:
    """Unanswered after its respond_by day."""
    return item.state == "open" and today > item.respond_by


def overdue_sql(today: date):
    """SQL twin of is_overdue."""
    return and_(Supervision.state == "open", Supervision.respond_by < today)


def answered_late(item: Supervision) -> bool:
    """Answered on a day after respond_by (in the users' zone)."""
    return item.answered_at is not None and to_local(item.answered_at).date() > item.respond_by


def status_of(item: Supervision, today: date) -> str:
    """open, answered or overdue."""
    if item.state == "answered":
        return "answered"
    return "overdue" if is_overdue(item, today) else "open"


def status_sql(status: str, today: date):
    """SQL twin of status_of == status."""
    if status == "answered":
        return Supervision.state == "answered"
    if status == "overdue":
        return overdue_sql(today)
    return and_(Supervision.state == "open", Supervision.respond_by >= today)
