"""Overdue and the traffic light (红黄绿灯) of a task."""
from datetime import date, timedelta

from tracker.models import PlanTask
from tracker.services.reminders.rules import rules_for
from tracker.services.workdays import effective_due, workdays_between


def is_overdue(task: PlanTask, today: date) -> bool:
    """The effective due date (a day off moves to the next working day) has passed and the task is open."""
    return task.due_date is not None and effective_due(task.due_date) < today and not task.is_closed


def light(task: PlanTask, today: date) -> str:
    """grey closed, red overdue, yellow due within N working days or stalled, green otherwise."""
    if task.is_closed:
        return "grey"
    if is_overdue(task, today):
        return "red"
    if task.status == "draft":
        return "green"
    # Thresholds are the organisation's reminder rules (defaults in config), cached per request.
    rules = rules_for(task.org_id)
    if task.due_date is not None and workdays_between(today, effective_due(task.due_date)) <= rules.due_soon_workdays:
        return "yellow"
    last = task.last_progress_at or task.assigned_at or task.created_at
    if last is not None and last.date() < today - timedelta(days=rules.stalled_days):
        return "yellow"
    return "green"
