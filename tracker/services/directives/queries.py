"""Lists of issued work (上级交办): what an organisation issued and what it received, with the tasks' progress."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from tracker.extensions import db
from tracker.models import DIRECTIVE_STATUSES, Directive, Organisation, Plan, PlanTask, User
from tracker.services.errors import ValidationFailed
from tracker.services.tasks.lights import light


@dataclass
class DirectiveRow:
    """One issued item as a list shows it: the work, and once accepted its task's percent and light."""

    directive: Directive
    light: str | None


def clean_status(raw) -> str | None:
    """The status filter (pending, accepted, declined) or None for all; anything else is refused."""
    if raw in (None, ""):
        return None
    if raw not in DIRECTIVE_STATUSES:
        raise ValidationFailed("参数 status 须为 pending、accepted 或 declined",
                               {"status": "须为 pending、accepted 或 declined"})
    return raw


def _mine(user: User):
    """Issued by the user's organisation, or issued to it."""
    return or_(Directive.issuer_org_id == user.org_id, Directive.target_org_id == user.org_id)


def directive_page(user: User, status: str | None, today: date, page: int, per_page: int):
    """One page of the organisation's issued and received work, newest first, with the total (two statements)."""
    query = select(Directive).where(_mine(user))
    if status:
        query = query.where(Directive.status == status)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(query.options(
        joinedload(Directive.issuer_org), joinedload(Directive.target_org), joinedload(Directive.issued_by),
        joinedload(Directive.decided_by), joinedload(Directive.task).joinedload(PlanTask.owner),
    ).order_by(Directive.id.desc()).limit(per_page).offset((page - 1) * per_page)).unique().all()
    return [DirectiveRow(d, light(d.task, today) if d.task is not None else None) for d in rows], total


def pending_count(user: User) -> int:
    """How much issued work waits for the user's organisation to accept or decline (its committee's to do)."""
    return db.session.scalar(select(func.count()).select_from(Directive).where(
        Directive.target_org_id == user.org_id, Directive.status == "pending")) or 0


def for_task(task_id: int) -> Directive | None:
    """The issued work a task carries, if it came from above (上级交办), with its issuer."""
    return db.session.scalar(select(Directive).where(Directive.task_id == task_id)
                             .options(joinedload(Directive.issuer_org), joinedload(Directive.issued_by)))


def issuable_orgs(user: User) -> list[Organisation]:
    """The organisations below the user's that its committee may issue work to, in tree order."""
    if user.role != "committee":
        return []
    return list(db.session.scalars(select(Organisation).where(
        Organisation.path.startswith(user.org.path), Organisation.id != user.org_id).order_by(Organisation.path)))


def plans_by_year(org_id: int, years) -> dict[int, Plan]:
    """The organisation's plans of those years, with their themes (for choosing where accepted work goes)."""
    if not years:
        return {}
    return {p.year: p for p in db.session.scalars(select(Plan).where(Plan.org_id == org_id, Plan.year.in_(set(years)))
                                                  .options(selectinload(Plan.themes)))}
