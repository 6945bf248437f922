"""The review queue (待审核): pending completion and extension requests a user may decide, oldest first."""
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from tracker.extensions import db
from tracker.models import PlanTask, PlanTheme, TaskRequest, User
from tracker.services.people.access import reviewable_sql

QUEUE_SORTS = {"oldest": "最早提交在前", "newest": "最近提交在前", "due": "按完成时限"}


@dataclass
class QueueFilters:
    kind: str | None = None
    theme: str | None = None
    q: str | None = None
    sort: str = "oldest"


def queue_page(user: User, f: QueueFilters, page: int, per_page: int) -> tuple[list[TaskRequest], int]:
    """One page of pending requests the user may decide."""
    query = (select(TaskRequest).join(TaskRequest.task)
             .where(TaskRequest.status == "pending", reviewable_sql(user)))
    if f.kind:
        query = query.where(TaskRequest.kind == f.kind)
    if f.theme:
        query = query.where(PlanTask.theme_id.in_(select(PlanTheme.id).where(PlanTheme.key == f.theme)))
    if f.q:
        pattern = f"%{f.q.replace('%', '').replace('_', '')}%"
        query = query.where(or_(PlanTask.title.ilike(pattern), TaskRequest.note.ilike(pattern)))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    order = {"newest": (TaskRequest.created_at.desc(), TaskRequest.id.desc()),
             "due": (PlanTask.due_date, TaskRequest.id)}.get(f.sort, (TaskRequest.created_at, TaskRequest.id))
    rows = db.session.scalars(query.options(
        contains_eager(TaskRequest.task).joinedload(PlanTask.owner),
        contains_eager(TaskRequest.task).joinedload(PlanTask.theme),
        joinedload(TaskRequest.requested_by),
    ).order_by(*order).limit(per_page).offset((page - 1) * per_page)).all()
    return rows, total


def first_pending_ids(rows: list[TaskRequest]) -> set[int]:
    """Of these requests, those a review decides next (requests.review takes each task's oldest first)."""
    task_ids = {r.task_id for r in rows}
    if not task_ids:
        return set()
    return set(db.session.scalars(select(func.min(TaskRequest.id)).where(
        TaskRequest.task_id.in_(task_ids), TaskRequest.status == "pending").group_by(TaskRequest.task_id)))


def pending_count(user: User) -> int:
    """How many requests wait for this user (0 for roles that do not review)."""
    if user.role not in ("committee", "leader"):
        return 0
    return db.session.scalar(select(func.count()).select_from(TaskRequest).join(TaskRequest.task).where(
        TaskRequest.status == "pending", reviewable_sql(user))) or 0
