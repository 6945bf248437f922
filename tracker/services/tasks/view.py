"""What a task page shows: its updates, requests, history and sub-tasks, and which actions a user is offered."""
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from tracker.extensions import db
from tracker.models import AuditEntry, Evidence, PlanTask, ProgressUpdate, TaskRequest, TaskStatus, User
from tracker.services.errors import NotFound
from tracker.services.people.access import can_read_org, is_committee_of, is_worker, may_review
from tracker.services.tasks.acknowledgement import is_pending
from tracker.services.tasks.status import can_move
from tracker.services.validation import is_id


@dataclass
class TaskView:
    updates: list[ProgressUpdate]
    requests: list[TaskRequest]
    pending: list[TaskRequest]
    history: list[AuditEntry]
    history_total: int
    subtasks: list[PlanTask]


def load(task: PlanTask, history_page: int, history_per_page: int) -> TaskView:
    """Everything the page lists about the task, in a fixed number of statements."""
    updates = db.session.scalars(select(ProgressUpdate).where(ProgressUpdate.task_id == task.id).options(
        selectinload(ProgressUpdate.metrics), selectinload(ProgressUpdate.evidence),
        joinedload(ProgressUpdate.author), joinedload(ProgressUpdate.on_behalf_of),
    ).order_by(ProgressUpdate.created_at.desc(), ProgressUpdate.id.desc())).all()
    reqs = db.session.scalars(select(TaskRequest).where(TaskRequest.task_id == task.id).options(
        joinedload(TaskRequest.requested_by), joinedload(TaskRequest.decided_by),
    ).order_by(TaskRequest.created_at, TaskRequest.id)).all()
    history_q = select(AuditEntry).where(AuditEntry.task_id == task.id)
    total = db.session.scalar(select(func.count()).select_from(history_q.subquery()))
    history = db.session.scalars(history_q.options(joinedload(AuditEntry.actor))
                                 .order_by(AuditEntry.id.desc()).limit(history_per_page)
                                 .offset((history_page - 1) * history_per_page)).all()
    subtasks = db.session.scalars(select(PlanTask).where(PlanTask.parent_id == task.id)
                                  .options(joinedload(PlanTask.owner)).order_by(PlanTask.id)).all()
    return TaskView(updates, reqs, [r for r in reqs if r.status == "pending"], history, total, subtasks)


def offered(user: User, task: PlanTask, pending: list[TaskRequest]) -> set[str]:
    """The actions to show this user; the services enforce the same rules (and the same moves) when one is used."""
    actions: set[str] = set()
    committee = is_committee_of(user, task.org_id)
    worker = is_worker(user, task)
    workable = not task.is_closed and task.status != "draft"
    kinds = {r.kind for r in pending}
    if workable and (worker or committee):
        actions.add("progress")
    if worker and is_pending(task):
        actions.add("acknowledge")
    if workable and worker:
        if "completion" not in kinds and can_move(task.status, TaskStatus.completion_requested):
            actions.add("complete")
        if "extension" not in kinds:
            actions.add("extend")
    reviewer = may_review(user, task)
    if pending and not task.is_closed and reviewer:
        actions.add("review")
    if workable and reviewer:
        actions.add("urge")
    if committee and can_move(task.status, TaskStatus.cancelled):  # open: a closed task moves nowhere
        actions.update({"edit", "assign", "cancel"})
        if task.parent_id is None:
            actions.add("split")
    return actions


def load_evidence(user: User, evidence_id: int) -> Evidence:
    """An evidence file whose task the user may read; NotFound otherwise."""
    row = None
    if is_id(evidence_id):
        row = db.session.execute(
            select(Evidence, PlanTask).join(ProgressUpdate, ProgressUpdate.id == Evidence.update_id)
            .join(PlanTask, PlanTask.id == ProgressUpdate.task_id)
            .where(Evidence.id == evidence_id).options(joinedload(PlanTask.org))).first()
    if row is None or not can_read_org(user, row[1].org):
        raise NotFound("文件不存在")
    return row[0]
