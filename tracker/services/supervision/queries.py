"""Reading 督办单: one by id, a page of them, a task's; only those on tasks the user may read."""
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from tracker.extensions import db
from tracker.models import PlanTask, Supervision, User
from tracker.models.supervision import SUPERVISION_STATUSES
from tracker.services.errors import NotFound, ValidationFailed
from tracker.services.people.access import can_read_org
from tracker.services.people.orgs import visible_org_ids
from tracker.services.supervision import rules
from tracker.services.validation import is_id


def _loads() -> tuple:
    """What a 督办单 is shown with (built on use: building loader options at import configures every mapper)."""
    return (joinedload(Supervision.task).joinedload(PlanTask.org),
            joinedload(Supervision.task).joinedload(PlanTask.owner),
            joinedload(Supervision.issuer_org), joinedload(Supervision.issued_by),
            joinedload(Supervision.answered_by))


def load(user: User, supervision_id) -> Supervision:
    """The 督办单 if the user may read its task; otherwise NotFound, never revealing that it exists."""
    item = None
    if is_id(supervision_id):
        item = db.session.scalar(select(Supervision).where(Supervision.id == supervision_id).options(
            *_loads(), joinedload(Supervision.task).selectinload(PlanTask.co_owners)))
    if item is None or not can_read_org(user, item.task.org):
        raise NotFound("督办单不存在")
    return item


def clean_status(status) -> str | None:
    """The list's status filter: open, answered, overdue or none."""
    if status in (None, ""):
        return None
    if status not in SUPERVISION_STATUSES:
        raise ValidationFailed("未知的督办单状态", {"status": "须为 " + "、".join(SUPERVISION_STATUSES)})
    return status


def page_for(user: User, status: str | None, today, page: int, per_page: int) -> tuple[list[Supervision], int]:
    """The supervisions on tasks the user may read, newest first, and how many there are (two statements)."""
    readable = Supervision.task_id.in_(select(PlanTask.id).where(PlanTask.org_id.in_(visible_org_ids(user))))
    conditions = [readable] + ([rules.status_sql(status, today)] if status else [])
    total = db.session.scalar(select(func.count(Supervision.id)).where(*conditions))
    rows = db.session.scalars(select(Supervision).where(*conditions).options(*_loads())
                              .order_by(Supervision.issued_at.desc(), Supervision.id.desc())
                              .limit(per_page).offset((page - 1) * per_page)).unique().all()
    return list(rows), total


def for_task(task: PlanTask) -> list[Supervision]:
    """A task's supervisions, newest first (one statement)."""
    return list(db.session.scalars(select(Supervision).where(Supervision.task_id == task.id).options(
        joinedload(Supervision.issuer_org), joinedload(Supervision.issued_by), joinedload(Supervision.answered_by))
        .order_by(Supervision.issued_at.desc(), Supervision.id.desc())).unique())

