"""Plan tasks: create, edit, assign and cancel."""
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Plan, PlanTask, TaskStatus, User
from tracker.models.types import utcnow
from tracker.services import audit, events
from tracker.services.errors import Conflict, ValidationFailed, check_fields, refusing_lost_races
from tracker.services.people.access import require_committee
from tracker.services.people.co_owners import clean_co_owners
from tracker.services.plans.sections import clean_section
from tracker.services.tasks import status
from tracker.services.validation import TEXT_MAX, TITLE_MAX, UNIT_MAX, clean_date, clean_text, is_id

EDITABLE = ("theme", "title", "description", "report_section", "owner", "co_owners", "lead", "unit",
            "start_date", "due_date", "parent_id")
LEAD_ROLES = ("leader", "committee")


def _person(errors: dict, field: str, label: str, username, org_id: int, roles=None) -> User | None:
    """An active user of the organisation, given by username; records a message otherwise."""
    if username is None or username == "":
        return None
    if not isinstance(username, str):
        errors[field] = f"{label}须填写用户名"
        return None
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None or user.org_id != org_id:
        errors[field] = f"{label}“{username}”不是本单位的用户"
    elif not user.is_active_account:
        errors[field] = f"{label}“{username}”已停用"
    elif roles and user.role not in roles:
        errors[field] = f"{label}须为分管领导或党政办人员"
    else:
        return user
    return None


def _clean(plan: Plan, data: dict, current: PlanTask | None) -> dict:
    """Check the given fields of a task against the plan; returns cleaned values by field."""
    errors: dict = {}
    out: dict = {}
    org_id = plan.org_id

    def given(name):
        return name in data

    if given("title") or current is None:
        out["title"] = clean_text(errors, "title", "任务名称", data.get("title"), max_len=TITLE_MAX, required=True)
    if given("description"):
        out["description"] = clean_text(errors, "description", "任务描述", data["description"], max_len=TEXT_MAX)
    if given("unit"):
        out["unit"] = clean_text(errors, "unit", "责任单位", data["unit"], max_len=UNIT_MAX)
    if given("theme") or current is None:
        theme = plan.theme_by_key(data.get("theme")) if isinstance(data.get("theme"), str) else None
        if theme is None:
            keys = "、".join(t.key for t in plan.themes)
            errors["theme"] = f"主题须为本计划的主题之一:{keys}"
        out["theme"] = theme
    if given("report_section") or current is None:
        # The organisation's template for the plan's year decides how many sub-sections there are (issue 5).
        out["report_section"] = clean_section(errors, "report_section", data.get("report_section"), plan.org, plan.year)
    if given("owner"):
        out["owner"] = _person(errors, "owner", "责任人", data["owner"], org_id)
    if given("lead"):
        out["lead"] = _person(errors, "lead", "牵头领导", data["lead"], org_id, LEAD_ROLES)
    if given("co_owners"):
        out["co_owners"] = clean_co_owners(errors, data["co_owners"], org_id)
    if given("start_date"):
        out["start_date"] = clean_date(errors, "start_date", "开始日期", data["start_date"])
    if given("due_date"):
        out["due_date"] = clean_date(errors, "due_date", "完成时限", data["due_date"])
    if given("parent_id") and data["parent_id"] is not None:
        parent_id = data["parent_id"]
        parent = db.session.get(PlanTask, parent_id) if is_id(parent_id) else None
        if parent is None or parent.plan_id != plan.id:
            errors["parent_id"] = "上级任务须是本计划中的任务"
        elif current is not None and (parent.id == current.id or parent.parent_id == current.id):
            errors["parent_id"] = "不能把任务设为自己或自己子任务的子任务"
        out["parent"] = parent
    elif given("parent_id"):
        out["parent"] = None
    check_fields(errors)

    # Rules across fields, on the values the task will have afterwards.
    def after(name, attr=None):
        return out[name] if name in out else (getattr(current, attr or name) if current else None)

    owner, co_owners = after("owner"), out.get("co_owners", current.co_owners if current else [])
    start, due = after("start_date"), after("due_date")
    if owner is not None and any(u.id == owner.id for u in co_owners):
        errors["co_owners"] = "责任人不必再列为协办人"
    if start and due and due < start:
        errors["due_date"] = "完成时限不能早于开始日期"
    if owner is not None and due is None:
        errors["due_date"] = "交办任务须有完成时限"
    if current is not None and "owner" in out and out["owner"] is None and current.status != "draft":
        errors["owner"] = "已交办的任务不能没有责任人"
    check_fields(errors)
    return out


def _apply(task: PlanTask, values: dict) -> dict:
    """Set the values and return the changes as field -> (before, after)."""
    changes = {}
    for name, value in values.items():
        before = getattr(task, name)
        if name == "co_owners":
            before_names = [u.username for u in before]
            after_names = [u.username for u in value]
            if before_names != after_names:
                changes[name] = (before_names, after_names)
                task.co_owners = list(value)
            continue
        if name == "theme":
            if before is not value:
                changes[name] = (before.key if before else None, value.key)
                task.theme = value
            continue
        if name == "parent":
            if before is not value:
                changes["parent_id"] = (before.id if before else None, value.id if value else None)
                task.parent = value
            continue
        if before != value:
            changes[name] = (before, value)
            setattr(task, name, value)
    return changes


def create_task(actor: User | None, plan: Plan, data: dict, *, system: bool = False) -> PlanTask:
    """Add a task to a plan: `assigned` with an owner, `draft` without; `system` is the command line (no user)."""
    if not (system and actor is None):
        require_committee(actor, plan.org_id, "task.create")
    values = _clean(plan, data, None)
    task = PlanTask(plan=plan, org_id=plan.org_id, description="", unit="", progress=0)
    changes = _apply(task, values)
    if task.owner is not None:  # a new task starts assigned or as a draft; no move from anywhere
        task.status = TaskStatus.assigned.value
        task.assigned_at = utcnow()
    else:
        task.status = TaskStatus.draft.value
    db.session.add(task)
    db.session.flush()
    changes["status"] = (None, task.status)
    entry = audit.record(actor, "task.create", task=task, changes=changes)
    events.task_changed.send(task, actor=actor, changes=changes, entry=entry)  # the 交办 notice subscribes
    return task


def update_task(actor: User, task: PlanTask, data: dict, version) -> PlanTask:
    """Edit a task the committee owns, refusing a stale version or a closed task."""
    require_committee(actor, task.org_id, "task.update", task)
    if isinstance(version, bool) or not isinstance(version, int):
        raise ValidationFailed("缺少版本号", {"version": "须提供任务的当前版本号(version)"}, action="task.update", task=task)
    if version != task.version:
        raise Conflict("任务已被他人修改,请刷新后重试", {"version": f"当前版本为{task.version}"},
                       action="task.update", task=task)
    if task.is_closed:
        raise Conflict(f"任务{task.status_label},不能再修改", action="task.update", task=task)
    unknown = set(data) - set(EDITABLE)
    if unknown:
        raise ValidationFailed("包含不能修改的字段", {k: "不能修改此字段" for k in sorted(unknown)},
                               action="task.update", task=task)
    try:
        values = _clean(task.plan, data, task)
    except ValidationFailed as exc:
        exc.action, exc.task_id, exc.org_id = "task.update", task.id, task.org_id
        raise
    changes = _apply(task, values)
    if changes:
        task.updated_at = utcnow()  # a co-owners-only change must still bump the version (a row UPDATE)
    action = "task.update"
    if task.status == TaskStatus.draft and task.owner is not None:
        changes["status"] = status.move(task, TaskStatus.assigned, action="task.update")
        task.assigned_at = utcnow()
        action = "task.assign"
    if changes:
        with refusing_lost_races("task.update", task):  # a colleague's save a moment ago, past the check above
            db.session.flush()
        entry = audit.record(actor, action, task=task, changes=changes)
        events.task_changed.send(task, actor=actor, changes=changes, entry=entry)
    return task


def cancel_task(actor: User, task: PlanTask, reason) -> PlanTask:
    """Cancel an open task with a reason; pending requests are closed with it."""
    from tracker.services.tasks.requests import close_pending
    require_committee(actor, task.org_id, "task.cancel", task)
    errors: dict = {}
    reason = clean_text(errors, "reason", "取消原因", reason, max_len=TEXT_MAX, required=True)
    if errors:
        raise ValidationFailed(errors["reason"], errors, action="task.cancel", task=task)
    if task.is_closed:
        raise Conflict(f"任务{task.status_label}", action="task.cancel", task=task)
    moved = status.move(task, TaskStatus.cancelled, action="task.cancel")
    close_pending(task)
    task.closed_at = utcnow()
    db.session.flush()
    audit.record(actor, "task.cancel", task=task, changes={"status": moved, "reason": reason})
    return task
