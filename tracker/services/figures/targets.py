"""Task targets (普法宣讲 ≥ 8 次) and how far the reported figures have got towards them."""
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import delete, func, select

from tracker.extensions import db
from tracker.models import PlanTask, ProgressUpdate, TaskTarget, UpdateMetric, User
from tracker.models.types import utcnow
from tracker.services import audit
from tracker.services.errors import Conflict, PermissionDenied, ValidationFailed
from tracker.services.figures.catalogue import catalogue_for
from tracker.services.people.access import may_review
from tracker.services.tasks.progress import _clean_metrics

MAX_TARGETS = 10


@dataclass
class TargetStatus:
    """One target beside what the task's updates have reported so far."""

    name: str
    unit: str
    target: Decimal
    actual: Decimal

    @property
    def is_met(self) -> bool:
        return self.actual >= self.target

    @property
    def percent(self) -> int:
        return share(self.actual, self.target)


def share(actual: Decimal, target: Decimal) -> int:
    """How far `actual` has got towards `target`, in whole percent (capped so a table column stays narrow)."""
    return 100 if target <= 0 else min(999, int(actual * 100 / target))


def may_set_targets(user: User, task: PlanTask) -> bool:
    """The committee of the task's organisation, or the task's lead (牵头领导)."""
    return may_review(user, task)


def check_open(task: PlanTask) -> None:
    """A closed task's targets are history: they are what the year's report measured it against."""
    if task.is_closed:
        raise Conflict(f"任务{task.status_label},不能设定目标", action="task.targets", task=task)


def _check(actor: User | None, task: PlanTask, version) -> None:
    """The right to set this task's targets, and (when the caller sends one) a current version."""
    if actor is not None and not may_set_targets(actor, task):
        raise PermissionDenied("只有牵头领导或本单位党政办可以设定目标", action="task.targets", task=task)
    check_open(task)
    if version is None:
        return
    if isinstance(version, bool) or not isinstance(version, int):
        raise ValidationFailed("缺少版本号", {"version": "须提供任务的当前版本号(version)"},
                               action="task.targets", task=task)
    if version != task.version:
        raise Conflict("任务已被他人修改,请刷新后重试", {"version": f"当前版本为{task.version}"},
                       action="task.targets", task=task)


def set_targets(actor: User | None, task: PlanTask, targets, version=None) -> list[TaskTarget]:
    """Replace the task's targets: a list of {name, value, unit}; a unit is required.

    With a `version` (the pages send one) a stale copy of the task is refused, and a change bumps the
    task's version like any other edit of it.
    """
    _check(actor, task, version)
    errors: dict = {}
    cleaned = _clean_metrics(errors, targets)
    if isinstance(targets, list) and len(targets) > MAX_TARGETS:
        errors["targets"] = f"每个任务最多{MAX_TARGETS}个目标"
    for i, (name, value, unit) in enumerate(cleaned):
        if not unit:
            errors[f"targets.{i}.unit"] = f"目标“{name}”须填写单位"
        elif value is not None and value <= 0:
            errors[f"targets.{i}.value"] = "目标值须大于0"
    if len({(n, u) for n, _, u in cleaned}) != len(cleaned):
        errors["targets"] = "同一数据(名称和单位)只能有一个目标"
    if errors:
        errors = {k.replace("metrics", "targets"): v for k, v in errors.items()}
        raise ValidationFailed("目标有误,请检查标出的字段。", errors, action="task.targets", task=task)
    before = [_fact(t.name, t.value, t.unit) for t in targets_of(task.id)]
    after = [_fact(n, v, u) for n, v, u in cleaned]
    if before == after:
        return targets_of(task.id)
    db.session.execute(delete(TaskTarget).where(TaskTarget.task_id == task.id))
    rows = [TaskTarget(task_id=task.id, name=n, value=v, unit=u) for n, v, u in cleaned]
    db.session.add_all(rows)
    task.updated_at = utcnow()  # a row UPDATE, so the task's version moves on (optimistic locking)
    db.session.flush()
    audit.record(actor, "task.targets", task=task, changes={"targets": (before, after)})
    return rows


def _fact(name: str, value, unit: str) -> dict:
    """A target as the audit trail keeps it (the history page prints it as 普法宣讲 8次)."""
    return {"name": name, "value": float(value), "unit": unit}


def target_choices(task: PlanTask) -> dict[str, tuple[str, str]]:
    """What a target may name, by form key: the catalogue's active figures, plus the task's current targets
    (a retired figure by its catalogue id, one outside the catalogue by "t<target id>")."""
    current = targets_of(task.id)
    aimed = {(t.name, t.unit) for t in current}
    out = {str(d.id): (d.name, d.unit) for d in catalogue_for(task.org, include_inactive=True)
           if d.is_active or (d.name, d.unit) in aimed}
    known = set(out.values())
    out.update({f"t{t.id}": (t.name, t.unit) for t in current if (t.name, t.unit) not in known})
    return out


def set_targets_from_choices(actor: User, task: PlanTask, rows, version) -> list[TaskTarget]:
    """The targets page: rows of {"figure": a key of target_choices, "value": as typed}."""
    _check(actor, task, version)
    choices = target_choices(task)
    errors: dict = {}
    targets = []
    for i, row in enumerate(rows if isinstance(rows, list) else []):
        pair = choices.get(row.get("figure")) if isinstance(row.get("figure"), str) else None
        if pair is None:
            errors[f"targets.{i}.figure"] = "请从数据目录中选择数据项"
        if row.get("value") in (None, ""):
            errors[f"targets.{i}.value"] = "请填写目标值"
        if pair is not None:
            targets.append({"name": pair[0], "value": row.get("value"), "unit": pair[1]})
    if errors:
        raise ValidationFailed("目标有误,请检查标出的字段。", errors, action="task.targets", task=task)
    return set_targets(actor, task, targets, version)


def targets_of(task_id: int) -> list[TaskTarget]:
    return list(db.session.scalars(select(TaskTarget).where(TaskTarget.task_id == task_id)
                                   .order_by(TaskTarget.id)))


def target_status(task_ids: list[int]) -> dict[int, list[TargetStatus]]:
    """Target against actual for each of the tasks (for the task page, the dashboard and the draft)."""
    if not task_ids:
        return {}
    out: dict[int, list[TargetStatus]] = {}
    targets = db.session.execute(select(TaskTarget.task_id, TaskTarget.name, TaskTarget.unit, TaskTarget.value)
                                 .where(TaskTarget.task_id.in_(task_ids)).order_by(TaskTarget.id)).all()
    if not targets:
        return out
    actual = {(t, n, u): v for t, n, u, v in db.session.execute(
        select(ProgressUpdate.task_id, UpdateMetric.name, UpdateMetric.unit, func.sum(UpdateMetric.value))
        .join(UpdateMetric, UpdateMetric.update_id == ProgressUpdate.id)
        .where(ProgressUpdate.task_id.in_({t.task_id for t in targets}))
        .group_by(ProgressUpdate.task_id, UpdateMetric.name, UpdateMetric.unit))}
    for task_id, name, unit, value in targets:
        got = Decimal(actual.get((task_id, name, unit)) or 0)
        out.setdefault(task_id, []).append(TargetStatus(name, unit, Decimal(value), got))
    return out
