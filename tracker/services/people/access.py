"""Who may read and do what: reading reaches down the tree, acting stays in one's own organisation."""
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from tracker.extensions import db
from tracker.models import Organisation, Plan, PlanTask, User
from tracker.services.errors import NotFound, PermissionDenied
from tracker.services.validation import is_id


def can_read_org(user: User, org: Organisation) -> bool:
    return org.path.startswith(user.org.path)


def load_task(user: User, task_id) -> PlanTask:
    """The task if the user may read it; otherwise NotFound, never revealing that it exists."""
    task = None
    if is_id(task_id):
        task = db.session.scalar(select(PlanTask).where(PlanTask.id == task_id).options(
            joinedload(PlanTask.org), joinedload(PlanTask.owner), joinedload(PlanTask.lead),
            joinedload(PlanTask.theme), selectinload(PlanTask.co_owners)))
    if task is None or not can_read_org(user, task.org):
        raise NotFound("任务不存在")
    return task


def load_plan(user: User, plan_id) -> Plan:
    """The plan if the user may read it; otherwise NotFound."""
    plan = None
    if is_id(plan_id):
        plan = db.session.get(Plan, plan_id)
    if plan is None or not can_read_org(user, plan.org):
        raise NotFound("计划不存在", {"plan_id": "计划不存在"})
    return plan


def is_committee_of(user: User, org_id: int) -> bool:
    """The committee (党政办) of exactly this organisation: it assigns, edits and manages there."""
    return user.role == "committee" and user.org_id == org_id


def may_supervise(user: User, task: PlanTask) -> bool:
    """The committee of the task's organisation or of one above it: it issues 督办单 on the task."""
    return user.role == "committee" and task.org.path.startswith(user.org.path)


def require_committee(user: User, org_id: int, action: str, task=None) -> None:
    """Only the committee of the organisation may do this."""
    if not is_committee_of(user, org_id):
        raise PermissionDenied("只有本单位党委/政府办公室可以执行此操作", action=action, task=task)


def is_worker(user: User, task: PlanTask) -> bool:
    """The owner or a co-owner."""
    return task.owner_id == user.id or any(u.id == user.id for u in task.co_owners)


def require_worker(user: User, task: PlanTask, action: str) -> None:
    """Only the owner or a co-owner (签收 is theirs: the committee's 代报 does not confirm receipt)."""
    if not is_worker(user, task):
        raise PermissionDenied("只有责任人或协办人可以签收任务", action=action, task=task)


def require_reporter(user: User, task: PlanTask, action: str) -> bool:
    """Owner, co-owner, or the committee posting on an owner's behalf; returns True for the latter."""
    if is_worker(user, task):
        return False
    if is_committee_of(user, task.org_id):
        return True
    raise PermissionDenied("只有责任人、协办人或本单位党政办可以反馈进展", action=action, task=task)


def may_correct(user: User, task: PlanTask, author_id: int) -> bool:
    """An update's author while the task is open, or the committee of its organisation, also on a closed task."""
    if is_committee_of(user, task.org_id):
        return True
    return user.id == author_id and not task.is_closed and is_worker(user, task)


def may_review(user: User, task: PlanTask) -> bool:
    """The task's lead (牵头领导) or the committee of its organisation: they review, urge and set targets."""
    return is_committee_of(user, task.org_id) or (task.lead_id == user.id and user.org_id == task.org_id)


def reviewable_sql(user: User):
    """SQL twin of may_review: the tasks this user reviews."""
    if user.role == "committee":
        return PlanTask.org_id == user.org_id
    return (PlanTask.lead_id == user.id) & (PlanTask.org_id == user.org_id)


def require_reviewer(user: User, task: PlanTask, action: str) -> None:
    """Only those who may review the task."""
    if not may_review(user, task):
        raise PermissionDenied("只有牵头领导或本单位党政办可以审核", action=action, task=task)


def may_issue_to(user: User, org: Organisation) -> bool:
    """上级交办: the committee of an organisation above `org` (never its own, a sibling or one above it)."""
    return user.role == "committee" and org.id != user.org_id and org.path.startswith(user.org.path)


def is_calendar_keeper(user: User) -> bool:
    """The committee of a top-level organisation (no parent) keeps the working-day calendar."""
    return user.role == "committee" and user.org.parent_id is None


def may_rank(user: User, org: Organisation, by: str) -> bool:
    """Who sees which ranking of an organisation (issue 17.4): cadres by unit only; by owner the organisation's
    committee and leaders, and those of an organisation above it (the county over its townships)."""
    if not can_read_org(user, org):
        return False
    if by == "unit":
        return True
    if user.role == "cadre":
        return False
    return by == "org" or org.id != user.org_id or user.role in ("committee", "leader")
