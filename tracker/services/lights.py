"""Overdue and the traffic light (红黄绿灯) of a task."""
from datetime import date, timedelta

from flask import current_app

from tracker.models import PlanTask
from tracker.services.workdays import workdays_between


def is_overdue(task: PlanTask, today: date) -> bool:
    """The due date has passed and the task is neither done nor cancelled."""
    return task.due_date is not None and task.due_date < today and not task.is_closed


def light(task: PlanTask, today: date) -> str:
    """grey closed, red overdue, yellow due within N working days or stalled, green otherwise."""
    if task.is_closed:
        return "grey"
    if is_overdue(task, today):
        return "red"
    if task.status == "draft":
        return "green"
    if task.due_date is not None and workdays_between(today, task.due_date) <= current_app.config["DUE_SOON_WORKDAYS"]:
        return "yellow"
    last = task.last_progress_at or task.assigned_at or task.created_at
    if last is not None and last.date() < today - timedelta(days=current_app.config["STALLED_DAYS"]):
        return "yellow"
    return "green"
