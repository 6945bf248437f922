"""Verbs on several tasks at once: split a task into sub-tasks, assign many tasks to one owner (批量交办)."""
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import Plan, PlanTask, User
from tracker.services.errors import Conflict, NotFound, ValidationFailed
from tracker.services.calendar.clock import today
from tracker.services.people.access import require_committee
from tracker.services.validation import clean_date
from tracker.services.tasks.verbs import create_task, update_task

MAX_SPLIT = 10
MAX_BULK = 100


def split_task(actor: User, parent: PlanTask, rows: list[dict]) -> list[PlanTask]:
    """Create sub-tasks under `parent`, inheriting its theme, report section, lead and unit.

    Each row holds title, owner and due_date (and optionally unit); errors come back keyed
    "rows.<i>.<field>" so a form can show them on the right line; on an error the caller rolls back,
    so either all rows are saved or none.
    """
    require_committee(actor, parent.org_id, "task.split", parent)
    if parent.is_closed:
        raise Conflict(f"任务{parent.status_label},不能再拆分", action="task.split", task=parent)
    if parent.parent_id is not None:
        raise ValidationFailed("子任务不能再拆分", {"rows": "子任务不能再拆分"})
    if not rows:
        raise ValidationFailed("请至少填写一项子任务", {"rows": "请至少填写一项子任务"})
    if len(rows) > MAX_SPLIT:
        raise ValidationFailed(f"一次最多拆分{MAX_SPLIT}项", {"rows": f"一次最多拆分{MAX_SPLIT}项"})
    created, errors = [], {}
    for i, row in enumerate(rows):
        data = {"theme": parent.theme.key, "report_section": parent.report_section, "parent_id": parent.id,
                "title": row.get("title"), "owner": row.get("owner") or None,
                "lead": parent.lead.username if parent.lead else None,
                "unit": row.get("unit") if row.get("unit") else parent.unit,
                "start_date": parent.start_date, "due_date": row.get("due_date") or None}
        try:
            created.append(create_task(actor, parent.plan, data))
        except ValidationFailed as exc:
            for name, message in exc.fields.items():
                errors[f"rows.{i}.{name}"] = message
    if errors:
        raise ValidationFailed("子任务填写有误,请检查标出的行。", errors, action="task.split", task=parent)
    return created


def bulk_assign(actor: User, plan: Plan, task_ids: list[int], *, owner, lead, due_date, unit=None,
                co_owners=None, allow_past: bool = False) -> list[PlanTask]:
    """Give several open tasks of a plan one owner, lead and due date (and unit, co-owners when given).

    A due date already past is refused unless `allow_past` confirms it (issue 16: it used to pass silently);
    the caller rolls back on an error.
    """
    require_committee(actor, plan.org_id, "task.bulk_assign")
    if not task_ids:
        raise ValidationFailed("请先勾选要交办的任务", {"task_ids": "请先勾选要交办的任务"})
    if len(task_ids) > MAX_BULK:
        raise ValidationFailed(f"一次最多交办{MAX_BULK}项", {"task_ids": f"一次最多交办{MAX_BULK}项"})
    found = db.session.scalars(select(PlanTask).where(PlanTask.id.in_(task_ids), PlanTask.plan_id == plan.id)
                               .options(selectinload(PlanTask.co_owners)).order_by(PlanTask.id)).all()
    if len(found) != len(set(task_ids)):
        raise NotFound("所选任务有的不存在")
    for task in found:
        if task.is_closed:
            raise Conflict(f"任务“{task.title}”{task.status_label},不能交办", {"task_ids": "含已结束的任务"})
    data = {"owner": owner or None, "due_date": due_date or None}
    if lead:
        data["lead"] = lead
    if unit:
        data["unit"] = unit
    if not owner:
        raise ValidationFailed("请选择责任人", {"owner": "请选择责任人"})
    errors: dict = {}
    due = clean_date(errors, "due_date", "完成时限", due_date, required=True)
    if errors:
        raise ValidationFailed(errors["due_date"], errors)
    if due < today() and not allow_past:
        message = f"完成时限{due.year}年{due.month}月{due.day}日已经过去;确需如此,请勾选“完成时限早于今天,仍按此交办”"
        raise ValidationFailed(message, {"due_date": message})
    for task in found:
        changes = dict(data)
        if co_owners:
            changes["co_owners"] = [name for name in co_owners if name != owner]
        elif any(u.username == owner for u in task.co_owners):
            # The new owner was helping: they stop being a co-owner rather than be listed twice.
            changes["co_owners"] = [u.username for u in task.co_owners if u.username != owner]
        update_task(actor, task, changes, task.version)
    return list(found)
