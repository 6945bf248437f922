"""签收: the owner or a co-owner confirms receipt of an assigned task, or posts its first progress (issue 17).

A task waits for it while it is assigned and open and nobody has confirmed; a committee's 代报 does not
confirm (tasks/progress stamps only a worker's own update). The time is written once, by a plain UPDATE that
takes no version: the owner and a co-owner who both tap 签收 both succeed, and the first time stays.
"""
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func
from sqlalchemy import update as sql_update
from sqlalchemy.orm.attributes import set_committed_value

from tracker.extensions import db
from tracker.models import PlanTask, TaskStatus, User, task_is_open
from tracker.models.types import utcnow
from tracker.services import audit
from tracker.services.calendar.clock import local_midnight
from tracker.services.calendar.workdays import sub_workdays
from tracker.services.errors import Conflict
from tracker.services.people.access import require_worker


def is_pending(task: PlanTask) -> bool:
    """待签收: assigned to someone, open, and not yet acknowledged."""
    return (task.acknowledged_at is None and task.owner_id is not None and not task.is_closed
            and task.status != TaskStatus.draft)


def pending_sql():
    """SQL twin of is_pending."""
    return and_(PlanTask.acknowledged_at.is_(None), PlanTask.owner_id.is_not(None), task_is_open(),
                PlanTask.status != TaskStatus.draft.value)


def assigned_before(today: date, workdays: int) -> datetime:
    """A task assigned before this instant has waited at least `workdays` working days by today (assigned on
    Monday, one working day has passed on Tuesday; on Saturday, on Tuesday too)."""
    return local_midnight(sub_workdays(today, workdays) + timedelta(days=1))


def is_waiting(task: PlanTask, today: date, workdays: int) -> bool:
    """Pending, and assigned at least `workdays` working days ago."""
    return is_pending(task) and task.assigned_at is not None and task.assigned_at < assigned_before(today, workdays)


def waiting_sql(today: date, workdays: int):
    """SQL twin of is_waiting."""
    return and_(pending_sql(), PlanTask.assigned_at < assigned_before(today, workdays))


def stamp_values(now: datetime) -> dict:
    """The UPDATE values that acknowledge a task unless it already was (for a worker's first progress too)."""
    return {"acknowledged_at": func.coalesce(PlanTask.acknowledged_at, now)}


def stamped(task: PlanTask, now: datetime) -> None:
    """Tell the loaded task what `stamp_values` wrote (the first time stays)."""
    if task.acknowledged_at is None:
        set_committed_value(task, "acknowledged_at", now)


def acknowledge(actor: User, task: PlanTask) -> PlanTask:
    """签收 by the owner or a co-owner; again, it changes nothing and keeps the first time."""
    require_worker(actor, task, "task.acknowledge")
    if task.acknowledged_at is not None:
        return task
    if task.is_closed or task.status == TaskStatus.draft:
        raise Conflict(f"任务{task.status_label},无需签收", action="task.acknowledge", task=task)
    now = utcnow()
    written = db.session.execute(
        sql_update(PlanTask).where(PlanTask.id == task.id, PlanTask.acknowledged_at.is_(None), task_is_open())
        .values(acknowledged_at=now), execution_options={"synchronize_session": False})
    if not written.rowcount:  # a co-owner a moment ago, or the task closed meanwhile: read what is there
        db.session.refresh(task)
        if task.acknowledged_at is None:
            raise Conflict(f"任务{task.status_label},无需签收", action="task.acknowledge", task=task)
        return task
    set_committed_value(task, "acknowledged_at", now)
    db.session.expire(task, ["updated_at"])  # the statement stamped it (the column's onupdate)
    audit.record(actor, "task.acknowledge", task=task)
    return task
