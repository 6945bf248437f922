"""The one table of the moves a task's status may make; every service that changes a status goes through move().

The pages and the API offer an action only when its move is allowed here (tracker.services.tasks.view.offered),
and the database keeps the status to the known values (migration 0520).
"""
from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from tracker.extensions import db
from tracker.models import PlanTask, TaskStatus
from tracker.services.errors import Conflict

S = TaskStatus
_OPEN_ENDS = {S.cancelled, S.carried_over}  # an open task may always be cancelled or carried into next year
MOVES: dict[TaskStatus, frozenset[TaskStatus]] = {
    S.draft: frozenset({S.assigned, *_OPEN_ENDS}),
    S.assigned: frozenset({S.in_progress, S.completion_requested, *_OPEN_ENDS}),
    S.in_progress: frozenset({S.completion_requested, *_OPEN_ENDS}),
    S.completion_requested: frozenset({S.done, S.in_progress, *_OPEN_ENDS}),  # approved, or returned
    S.done: frozenset(),
    S.cancelled: frozenset(),
    S.carried_over: frozenset(),
}


def can_move(current: str, target: str) -> bool:
    """Whether a task in `current` may move to `target`."""
    return TaskStatus(target) in MOVES[TaskStatus(current)]


def move(task: PlanTask, target: TaskStatus, *, action: str) -> tuple[str, str]:
    """Set the task's status, refusing a move the table does not allow; returns (before, after) for the audit."""
    before = task.status
    if not can_move(before, target):
        raise Conflict(f"任务{task.status_label},不能改为“{PlanTask.label_of(target)}”", action=action, task=task)
    task.status = target.value
    return before, target.value


def move_row(task: PlanTask, target: TaskStatus, *, action: str) -> tuple[str, str] | None:
    """A move that people working side by side may all make at once (a progress post starting the work).

    A conditional UPDATE that takes no version, so it never makes a colleague's edit stale; None when another
    writer made the same move a moment ago.
    """
    before = task.status
    if not can_move(before, target):
        raise Conflict(f"任务{task.status_label},不能改为“{PlanTask.label_of(target)}”", action=action, task=task)
    moved = db.session.execute(
        update(PlanTask).where(PlanTask.id == task.id, PlanTask.status == before).values(status=target.value),
        execution_options={"synchronize_session": False}).rowcount
    set_committed_value(task, "status", target.value)
    return (before, target.value) if moved else None
