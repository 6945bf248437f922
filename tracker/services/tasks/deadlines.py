"""When a task is overdue, due today, due soon, late by so many working days, or stalled: each rule once.

Every rule is a bound worked out here in Python on China's calendar, a Python test against it, and the SQL
condition on the same bound beside it, so the lights, lists, dashboard, API, sweep, report and exports give
one answer (tests/test_rule_agreement.py). A due date on a day off is met by the next working day (民法典
art. 203): a task due on Saturday is not late on Monday.
"""
from datetime import date, datetime, timedelta

from sqlalchemy import false, func

from tracker.models import PlanTask, TaskStatus
from tracker.services.calendar.clock import local_midnight
from tracker.services.calendar.workdays import add_workdays, effective_due, is_workday, sub_workdays, workdays_between


def overdue_before(today: date) -> date:
    """A due date before this is overdue today: its effective due date lies before today."""
    return sub_workdays(today, 1) + timedelta(days=1)


def is_past_due(due: date | None, today: date) -> bool:
    """The due date's effective date has passed (whatever the task's status)."""
    return due is not None and due < overdue_before(today)


def past_due_sql(today: date):
    """SQL twin of is_past_due on PlanTask.due_date (NULL is never past due)."""
    return PlanTask.due_date < overdue_before(today)


def is_due_today(due: date | None, today: date) -> bool:
    """The effective due date is today (so today is a working day)."""
    return due is not None and is_workday(today) and overdue_before(today) <= due <= today


def due_today_sql(today: date):
    """SQL twin of is_due_today."""
    return PlanTask.due_date.between(overdue_before(today), today) if is_workday(today) else false()


def due_soon_until(today: date, workdays: int) -> date:
    """The last due date that falls due within `workdays` working days of today."""
    return add_workdays(today, workdays)


def is_due_within(due: date | None, today: date, workdays: int) -> bool:
    """Not past due, and due within `workdays` working days (today included)."""
    return due is not None and overdue_before(today) <= due <= due_soon_until(today, workdays)


def due_within_sql(today: date, workdays: int):
    """SQL twin of is_due_within."""
    return PlanTask.due_date.between(overdue_before(today), due_soon_until(today, workdays))


def workdays_late(due: date | None, today: date) -> int:
    """Working days since the effective due date; 0 when not late."""
    if not is_past_due(due, today):
        return 0
    return workdays_between(effective_due(due), today)


def late_by_bound(today: date, workdays: int) -> date:
    """The last due date that is at least `workdays` working days late today."""
    return sub_workdays(today, workdays)


def is_late_by(due: date | None, today: date, workdays: int) -> bool:
    """At least `workdays` working days past the effective due date."""
    return due is not None and due <= late_by_bound(today, workdays)


def late_by_sql(today: date, workdays: int):
    """SQL twin of is_late_by."""
    return PlanTask.due_date <= late_by_bound(today, workdays)


def last_activity(task) -> datetime | None:
    """The last progress update, else the assignment, else the creation."""
    return task.last_progress_at or task.assigned_at or task.created_at


def last_activity_sql():
    """SQL twin of last_activity (the expression ix_plan_task_open_activity indexes)."""
    return func.coalesce(PlanTask.last_progress_at, PlanTask.assigned_at, PlanTask.created_at)


def stalled_since(today: date, days: int) -> datetime:
    """Activity before this instant (local midnight `days` days ago) leaves a task stalled."""
    return local_midnight(today - timedelta(days=days))


def is_stalled(last: datetime | None, today: date, days: int) -> bool:
    """No activity since `days` days before today."""
    return last is not None and last < stalled_since(today, days)


def stalled_sql(today: date, days: int):
    """SQL twin of is_stalled on the task's last activity."""
    return last_activity_sql() < stalled_since(today, days)


def is_awaiting_review(task) -> bool:
    """Its completion waits for the reviewer: nobody presses the owner about deadlines meanwhile (issue 16)."""
    return task.status == TaskStatus.completion_requested


def awaiting_review_sql():
    """SQL twin of is_awaiting_review."""
    return PlanTask.status == TaskStatus.completion_requested.value
