"""The year's turn as a reviewed step: preview the open tasks, move the chosen ones into next year, undo it.

A moved task keeps its people, unit, section, targets, progress and pending requests; its original closes as
已结转 and still counts in its own year's report. Undo is offered while nobody has touched the new tasks.
"""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, func, select

from tracker.extensions import db
from tracker.models import (
    AuditEntry,
    CarryOver,
    Delivery,
    Notification,
    Plan,
    PlanTask,
    RequestKind,
    RequestStatus,
    TaskRequest,
    TaskStatus,
    TaskTarget,
    User,
    delivery_item,
    task_is_open,
)
from tracker.models.types import utcnow
from tracker.services import audit, events
from tracker.services.calendar.clock import today
from tracker.services.errors import Conflict, NotFound, ValidationFailed
from tracker.services.people.access import can_read_org, require_committee
from tracker.services.plans import verbs as plans
from tracker.services.tasks import status
from tracker.services.validation import clean_date, is_id

MAX_TASKS = 1000


@dataclass(frozen=True)
class Candidate:
    """An open task of the year with what the carry-over proposes for it."""

    task: PlanTask
    due_date: date | None  # kept when it still lies ahead, else to be given
    ticked: bool  # ticked by default unless it is due after the year's end (it may well finish this year)


def candidates(actor: User, plan: Plan, day: date | None = None) -> list[Candidate]:
    """The plan's open top-level tasks in number order, each with its proposed due date; changes nothing."""
    require_committee(actor, plan.org_id, "plan.carry_over")
    day = day or today()
    rows = db.session.scalars(select(PlanTask).where(
        PlanTask.plan_id == plan.id, task_is_open(), PlanTask.parent_id.is_(None)).order_by(PlanTask.id)).all()
    year_end = date(plan.year, 12, 31)
    return [Candidate(t, t.due_date if t.due_date and t.due_date > day else None,
                      not (t.due_date and t.due_date > year_end)) for t in rows]


def carry_over(actor: User, plan: Plan, task_ids, due_dates=None, day: date | None = None) -> CarryOver:
    """Move the chosen open tasks into next year's plan (made, themes copied, where none exists)."""
    require_committee(actor, plan.org_id, "plan.carry_over")
    day = day or today()
    chosen, dues = _clean_choice(plan, task_ids, due_dates, day)
    target = plans.plan_for(plan.org, plan.year + 1)
    if target is None:
        target = plans.create_plan(plan.org, plan.year + 1, plans.default_title(plan.org, plan.year + 1),
                                   [(t.key, t.title) for t in plan.themes], actor=actor)
    record = CarryOver(org_id=plan.org_id, from_plan=plan, to_plan=target, actor_id=actor.id, moved=[])
    db.session.add(record)
    moved = []
    for old in chosen:
        new = _copy(old, target, dues.get(old.id, old.due_date if old.due_date and old.due_date > day else None))
        moved.append((old, new))
    db.session.flush()
    items = []
    for old, new in moved:
        items.append({"source": old.id, "task": new.id, "requests": _move_requests(old, new),
                      "closed": close_as_carried(actor, old, new)})
    db.session.flush()
    for item, (_, new) in zip(items, moved):
        item["version"] = new.version
    record.moved = items
    entry = audit.record(actor, "plan.carry_over", obj=target, org_id=plan.org_id, changes={
        "from_year": plan.year, "to_year": target.year, "carry_over": record.id,
        "tasks": [[old.id, new.id] for old, new in moved]})
    db.session.flush()
    record.entry_id = entry.id
    entry_note = f"由{plan.year}年计划结转至{target.year}年计划"
    for _, new in moved:
        events.tasks_carried.send(new, actor=actor, entry=entry, note=entry_note)
    db.session.flush()
    return record


def _clean_choice(plan: Plan, task_ids, due_dates, day: date) -> tuple[list[PlanTask], dict[int, date]]:
    """The tasks chosen (open, top-level, of this plan) and the due dates given for them."""
    errors: dict = {}
    if not isinstance(task_ids, list) or not task_ids or len(task_ids) > MAX_TASKS \
            or not all(is_id(i) for i in task_ids):
        raise ValidationFailed("请选择要结转的任务", {"task_ids": "请至少选择一项任务"}, action="plan.carry_over")
    ids = list(dict.fromkeys(task_ids))
    rows = {t.id: t for t in db.session.scalars(select(PlanTask).where(
        PlanTask.id.in_(ids), PlanTask.plan_id == plan.id, PlanTask.parent_id.is_(None)))}
    missing = [i for i in ids if i not in rows]
    if missing:
        raise ValidationFailed("所选任务不在本计划中", {"task_ids": f"任务{missing[0]}不在本年度计划中"},
                               action="plan.carry_over")
    closed = [t for t in rows.values() if t.is_closed]
    if closed:
        raise Conflict(f"任务“{closed[0].title}”{closed[0].status_label},不能结转", action="plan.carry_over")
    dues: dict[int, date] = {}
    if due_dates is not None and not isinstance(due_dates, dict):
        errors["due_dates"] = "完成时限须按任务编号给出"
    for key, value in (due_dates or {}).items() if isinstance(due_dates, dict) else ():
        task_id = int(key) if isinstance(key, str) and key.isdigit() and len(key) < 12 else None
        field = f"due_dates.{key}"[:60]
        if task_id not in rows:
            errors[field] = "该任务不在所选任务中"
            continue
        due = clean_date(errors, field, "完成时限", value)
        if due is not None and due <= day:
            errors[field] = "新的完成时限须晚于今天"
        elif due is not None:
            dues[task_id] = due
    if errors:
        raise ValidationFailed("完成时限有误,请检查标出的任务", errors, action="plan.carry_over")
    return [rows[i] for i in ids], dues


def _copy(old: PlanTask, target: Plan, due: date | None) -> PlanTask:
    """Next year's task continuing `old`: the same people and content, under the same theme where it exists."""
    theme = target.theme_by_key(old.theme.key) or target.themes[0]
    owner = old.owner if old.owner and old.owner.is_active_account else None
    lead = old.lead if old.lead and old.lead.is_active_account else None
    pending_completion = old.status == TaskStatus.completion_requested and owner is not None
    new = PlanTask(plan=target, org_id=target.org_id, theme=theme, title=old.title, description=old.description,
                   report_section=old.report_section, owner=owner, lead=lead, unit=old.unit,
                   co_owners=[u for u in old.co_owners if u.is_active_account], start_date=None, due_date=due,
                   progress=old.progress, carried_from_id=old.id,
                   status=(TaskStatus.completion_requested if pending_completion
                           else TaskStatus.assigned if owner else TaskStatus.draft).value,
                   assigned_at=utcnow() if owner else None)
    db.session.add(new)
    db.session.flush()
    db.session.add_all([TaskTarget(task_id=new.id, name=t.name, value=t.value, unit=t.unit)
                        for t in db.session.scalars(select(TaskTarget).where(TaskTarget.task_id == old.id))])
    return new


def _move_requests(old: PlanTask, new: PlanTask) -> list[int]:
    """Pending requests go with the work, still pending, to be decided on the new task."""
    from tracker.services.tasks.requests import pending
    moved = []
    for req in pending(old):
        if req.kind == RequestKind.completion and new.status != TaskStatus.completion_requested:
            req.status = RequestStatus.closed.value  # no owner left to finish it: decided anew next year
            continue
        req.task_id = new.id
        moved.append(req.id)
    return moved


def close_as_carried(actor: User | None, old: PlanTask, new: PlanTask) -> list[list]:
    """Close the original and its open sub-tasks as 已结转 to `new`; returns [id, status before] for the undo.

    The original's pending requests have moved to `new` already; a sub-task's are closed."""
    from tracker.services.tasks.requests import close_pending
    closed = []
    for task in [old, *old.subtasks]:
        if task.is_closed:
            continue
        moved = status.move(task, TaskStatus.carried_over, action="task.carry_over")
        if task is not old:
            close_pending(task)  # a sub-task's request has no new task to go to
        task.closed_at = utcnow()
        closed.append([task.id, moved[0]])
        db.session.flush()
        audit.record(actor, "task.carry_over", task=task,
                     changes={"status": moved, "carried_to": new.id, "to_year": new.plan.year})
    return closed


def load(actor: User, carry_id) -> CarryOver:
    """A carry-over of an organisation the actor may read, else NotFound."""
    record = db.session.get(CarryOver, carry_id) if is_id(carry_id) else None
    if record is None or not can_read_org(actor, record.from_plan.org):
        raise NotFound("结转记录不存在")
    return record


def changed_since(record: CarryOver) -> list[int]:
    """The new tasks someone has touched since the carry-over (an audited act, a report, a sub-task)."""
    new_ids = [i["task"] for i in record.moved]
    if not new_ids:
        return []
    touched = set(db.session.scalars(select(AuditEntry.task_id).where(
        AuditEntry.task_id.in_(new_ids), AuditEntry.id > (record.entry_id or 0),
        AuditEntry.action.not_like("%.refused"))))
    touched |= set(db.session.scalars(select(PlanTask.parent_id).where(PlanTask.parent_id.in_(new_ids))))
    versions = dict(db.session.execute(select(PlanTask.id, PlanTask.version).where(PlanTask.id.in_(new_ids))).all())
    touched |= {i["task"] for i in record.moved if versions.get(i["task"]) != i["version"]}
    return sorted(t for t in touched if t is not None)


def undo(actor: User, record: CarryOver) -> list[PlanTask]:
    """Put the originals back as they were and remove the new tasks, while none of them has changed."""
    require_committee(actor, record.org_id, "plan.carry_over_undo")
    if record.undone_at is not None:
        raise Conflict("这次结转已经撤销", action="plan.carry_over_undo")
    touched = changed_since(record)
    if touched:
        raise Conflict(f"结转后已有{len(touched)}项任务被修改或填报,不能撤销;请逐项处理",
                       {"task_ids": ",".join(str(t) for t in touched[:20])}, action="plan.carry_over_undo")
    restored = []
    for item in record.moved:
        for req in db.session.scalars(select(TaskRequest).where(TaskRequest.id.in_(item["requests"] or [0]))):
            req.task_id = item["source"]
        for task_id, before in item["closed"]:
            task = db.session.get(PlanTask, task_id)
            if task.status != TaskStatus.carried_over:
                continue
            # The exact inverse of the move above, not a move the status table offers to anyone.
            task.status, task.closed_at = before, None
            db.session.flush()
            audit.record(actor, "task.carry_over_undo", task=task,
                         changes={"status": [TaskStatus.carried_over.value, before], "carried_to": item["task"]})
            if task_id == item["source"]:
                restored.append(task)
    _remove([i["task"] for i in record.moved])
    record.undone_at, record.undone_by_id = utcnow(), actor.id
    audit.record(actor, "plan.carry_over_undo", obj=record.to_plan, org_id=record.org_id,
                 changes={"carry_over": record.id, "tasks": [[i["source"], i["task"]] for i in record.moved]})
    db.session.flush()
    return restored


def _remove(task_ids: list[int]) -> None:
    """Delete the new tasks with their notices; a delivery already sent stays in the reminder log."""
    if not task_ids:
        return
    notices = select(Notification.id).where(Notification.task_id.in_(task_ids))
    unsent = select(delivery_item.c.delivery_id).where(delivery_item.c.notification_id.in_(notices))
    db.session.execute(delete(Delivery).where(Delivery.id.in_(unsent), Delivery.status != "sent"))
    db.session.execute(delete(delivery_item).where(delivery_item.c.notification_id.in_(notices)))
    db.session.execute(delete(Notification).where(Notification.task_id.in_(task_ids)))
    db.session.execute(delete(TaskTarget).where(TaskTarget.task_id.in_(task_ids)))
    db.session.execute(delete(PlanTask).where(PlanTask.id.in_(task_ids)),
                       execution_options={"synchronize_session": "fetch"})


def latest(plan: Plan) -> CarryOver | None:
    """The plan's last carry-over that has not been undone, for the 撤销 button."""
    return db.session.scalar(select(CarryOver).where(CarryOver.from_plan_id == plan.id, CarryOver.undone_at.is_(None))
                             .order_by(CarryOver.id.desc()).limit(1))


def count_open(plan: Plan) -> int:
    return db.session.scalar(select(func.count()).select_from(PlanTask).where(
        PlanTask.plan_id == plan.id, task_is_open(), PlanTask.parent_id.is_(None)))


def moved_tasks(record: CarryOver) -> list[tuple[PlanTask, PlanTask | None]]:
    """(original, new task or None once undone) for each moved task, in the order they were moved."""
    ids = [i["source"] for i in record.moved] + [i["task"] for i in record.moved]
    rows = {t.id: t for t in db.session.scalars(select(PlanTask).where(PlanTask.id.in_(ids or [0])))}
    return [(rows[i["source"]], rows.get(i["task"])) for i in record.moved if i["source"] in rows]
