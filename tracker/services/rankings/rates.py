"""办结率 and 按期办结率: which tasks count, when a completion was on time, a rate over no tasks — each rule once.

A task counts when its effective due date (a due date on a day off is met the next working day, 民法典 art. 203)
falls in the period, unless it was cancelled, carried into next year or is still a draft (never assigned).
办结率 = done ÷ counted; 按期办结率 = done with the completion request (申请办结) made on or before the effective
due date ÷ counted. A rate over no tasks is None (shown "—"). Every Python rule has its SQL twin beside it, so
the API, the 通报 page, its Word file and the dashboard give one answer (tests/test_rankings.py).
"""
from datetime import date, datetime, timedelta
from fractions import Fraction

from sqlalchemy import and_, case, false, literal

from tracker.models import PlanTask, TaskStatus
from tracker.models.types import UTCDateTime
from tracker.services.calendar.clock import local_midnight
from tracker.services.calendar.workdays import effective_due
from tracker.services.tasks.deadlines import overdue_before

# Not counted: closed without being done, or never issued.
EXCLUDED = (TaskStatus.cancelled.value, TaskStatus.carried_over.value, TaskStatus.draft.value)
DEFINITIONS = (
    "办结率=已办结任务数÷完成时限在统计期内的任务数;",
    "按期办结率=在完成时限当日或之前提出办结申请并已办结的任务数÷同一批任务数;",
    "完成时限遇法定节假日、休息日顺延至其后第一个工作日;已取消、已结转下一年度和未交办(草稿)的任务不计;"
    "没有到期任务的,比率显示为“—”。",
)


def rate(part: int, whole: int) -> Fraction | None:
    """part ÷ whole, exactly; None over no tasks (never a division error)."""
    return Fraction(part, whole) if whole else None


def as_number(value: Fraction | None) -> float | None:
    """A rate as the API gives it: a fraction of 1 to four decimals, or None."""
    return None if value is None else round(float(value), 4)


def as_percent(value) -> str:
    """A rate as people read it: 87.5%, or — over no tasks."""
    if value is None:
        return "—"
    return f"{float(value) * 100:.1f}".rstrip("0").rstrip(".") + "%"


def is_counted(status: str, due: date | None, start: date, end: date) -> bool:
    """The task counts in the period: its effective due date falls in [start, end] and it was not excluded."""
    return status not in EXCLUDED and due is not None and start <= effective_due(due) <= end


def counted_sql(start: date, end: date):
    """SQL twin of is_counted: effective_due(d) ≥ start ⟺ d ≥ overdue_before(start), and ≤ end likewise."""
    return and_(PlanTask.status.not_in(EXCLUDED), PlanTask.due_date >= overdue_before(start),
                PlanTask.due_date < overdue_before(end + timedelta(days=1)))


def on_time_until(due: date) -> datetime:
    """A completion requested before this instant (the end of the effective due date, local time) is on time."""
    return local_midnight(effective_due(due) + timedelta(days=1))


def is_done_on_time(status: str, due: date | None, requested_at: datetime | None) -> bool:
    """Done, and its completion was requested on or before the effective due date."""
    return status == TaskStatus.done.value and due is not None and requested_at is not None \
        and requested_at < on_time_until(due)


def done_on_time_sql(requested_at, dues) -> object:
    """SQL twin of is_done_on_time, for tasks whose due date is one of `dues` (the period's, read first):
    each due date's deadline is worked out on China's calendar here and written into one CASE."""
    dues = sorted(set(d for d in dues if d is not None))
    if not dues:
        return false()
    until = case({d: literal(on_time_until(d), UTCDateTime()) for d in dues}, value=PlanTask.due_date)
    return and_(PlanTask.status == TaskStatus.done.value, requested_at.is_not(None), requested_at < until)
