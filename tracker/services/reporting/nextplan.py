"""One click from part 三 to next year's plan: the unfinished tasks carried over as drafts to assign."""
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Organisation, PlanTask, TaskStatus, User, task_is_open
from tracker.models.types import utcnow
from tracker.services import audit
from tracker.services.figures.targets import set_targets, targets_of
from tracker.services.people.access import require_committee
from tracker.services.plans import verbs as plans
from tracker.services.reporting.draft import require_plan
from tracker.services.tasks import status
from tracker.services.tasks import verbs as tasks


def carry_over(actor: User, org: Organisation, year) -> tuple[int, int]:
    """Create next year's plan (or add to it) with this year's unfinished tasks; returns (plan id, tasks added).

    Carried tasks start as drafts without owner or deadline: the committee assigns them anew for the new
    year; the lead, unit, section and targets come along, and `carried_from_id` links back (留痕). Each
    original is closed as 已结转, so it stops reminding and leaves its owner's 我的任务."""
    require_committee(actor, org.id, "plan.carry_over")
    plan = require_plan(org, year)
    target = plans.plan_for(org, year + 1)
    if target is None:
        target = plans.create_plan(org, year + 1, f"{org.name}{year + 1}年法治政府建设工作计划",
                                   [(t.key, t.title) for t in plan.themes], actor=actor)
    already = set(db.session.scalars(select(PlanTask.carried_from_id).where(
        PlanTask.plan_id == target.id, PlanTask.carried_from_id.is_not(None))))
    open_tasks = db.session.scalars(select(PlanTask).where(
        PlanTask.plan_id == plan.id, task_is_open(), PlanTask.parent_id.is_(None))
        .order_by(PlanTask.id)).all()
    added = 0
    for old in open_tasks:
        if old.id in already:
            continue
        theme = target.theme_by_key(old.theme.key)
        if theme is None:  # next year's plan has other themes: put it under the first
            theme = target.themes[0]
        owner = old.owner.name if old.owner else "未指定"
        due = f"{old.due_date:%Y-%m-%d}" if old.due_date else "未定"
        note = f"(由{year}年结转:原责任人{owner},原完成时限{due},结转时进度{old.progress}%)"
        description = (old.description + "\n" + note).strip()[:5000]
        new = tasks.create_task(actor, target, {
            "theme": theme.key, "title": old.title, "description": description,
            "report_section": old.report_section,
            "lead": old.lead.username if old.lead and old.lead.is_active_account else None,
            "unit": old.unit})
        new.carried_from_id = old.id
        kept = [{"name": t.name, "value": t.value, "unit": t.unit} for t in targets_of(old.id)]
        if kept:
            set_targets(actor, new, kept)
        close_as_carried(actor, old, new)
        added += 1
    db.session.flush()
    audit.record(actor, "plan.carry_over", obj=target, org_id=org.id,
                 changes={"from_year": year, "to_year": year + 1, "tasks_added": added})
    return target.id, added


def close_as_carried(actor: User | None, old: PlanTask, new: PlanTask) -> None:
    """Close an unfinished task, and its open sub-tasks, as 已结转 to `new`, which continues it next year.

    Its figures still count in its own year's report (only 已取消 is marked there); the audit entry names
    the new task, the reverse of new.carried_from_id."""
    from tracker.services.tasks.requests import close_pending
    for task in [old, *old.subtasks]:
        if task.is_closed:
            continue
        moved = status.move(task, TaskStatus.carried_over, action="task.carry_over")
        close_pending(task)  # a pending request cannot be decided on a closed task
        task.closed_at = utcnow()
        db.session.flush()
        audit.record(actor, "task.carry_over", task=task,
                     changes={"status": moved, "carried_to": new.id, "to_year": new.plan.year})
