"""Task targets (普法宣讲 ≥ 8 次) and how far the reported figures have got towards them."""
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import delete, func, select

from tracker.extensions import db
from tracker.models import PlanTask, ProgressUpdate, TaskTarget, UpdateMetric, User
from tracker.services import audit
from tracker.services.access import require_committee
from tracker.services.errors import ValidationFailed
from tracker.services.progress import _clean_metrics

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
        return 100 if self.target <= 0 else min(999, int(self.actual * 100 / self.target))


def set_targets(actor: User | None, task: PlanTask, targets) -> list[TaskTarget]:
    """Replace the task's targets: a list of {name, value, unit}; a unit is required."""
    if actor is not None:
        require_committee(actor, task.org_id, "task.targets", task)
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
    before = [(t.name, float(t.value), t.unit) for t in targets_of(task.id)]
    db.session.execute(delete(TaskTarget).where(TaskTarget.task_id == task.id))
    rows = [TaskTarget(task_id=task.id, name=n, value=v, unit=u) for n, v, u in cleaned]
    db.session.add_all(rows)
    db.session.flush()
    audit.record(actor, "task.targets", task=task,
                 changes={"targets": (before, [(n, float(v), u) for n, v, u in cleaned])})
    return rows


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
