"""What the ledger and the evidence pack read: a plan's tasks with their latest update and summed figures."""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from tracker.extensions import db
from tracker.models import Plan, PlanTask, ProgressUpdate, UpdateMetric
from tracker.services.tasks.lights import light


@dataclass
class LedgerRow:
    task: PlanTask
    light: str
    latest: ProgressUpdate | None
    figures: list[tuple[str, Decimal, str]] = field(default_factory=list)

    @property
    def figures_text(self) -> str:
        return "\uff1b".join(f"{name}{_number(value)}{unit}" for name, value, unit in self.figures)


def _number(value: Decimal) -> str:
    return str(int(value)) if value == value.to_integral_value() else f"{value.normalize()}"


def plan_tasks(plan: Plan, *, theme_key: str | None = None, task_id: int | None = None) -> list[PlanTask]:
    """The plan's tasks in theme order, then due date, then id; sub-tasks after their parents' order."""
    query = select(PlanTask).where(PlanTask.plan_id == plan.id).options(
        joinedload(PlanTask.owner), joinedload(PlanTask.lead), joinedload(PlanTask.theme),
        selectinload(PlanTask.co_owners))
    if theme_key is not None:
        query = query.where(PlanTask.theme_id.in_([t.id for t in plan.themes if t.key == theme_key]))
    if task_id is not None:
        query = query.where(PlanTask.id == task_id)
    rows = db.session.scalars(query).unique().all()
    positions = {t.id: t.position for t in plan.themes}
    return sorted(rows, key=lambda t: (positions.get(t.theme_id, 0), t.due_date is None, t.due_date or date.max, t.id))


def ledger_rows(plan: Plan, today: date, tasks: list[PlanTask] | None = None) -> list[LedgerRow]:
    """Each task with its light, latest update and figures summed over the year: three queries in all."""
    tasks = plan_tasks(plan) if tasks is None else tasks
    ids = [t.id for t in tasks]
    latest_ids = select(func.max(ProgressUpdate.id)).where(ProgressUpdate.task_id.in_(ids)).group_by(
        ProgressUpdate.task_id)
    latest = {u.task_id: u for u in db.session.scalars(
        select(ProgressUpdate).where(ProgressUpdate.id.in_(latest_ids)))} if ids else {}
    sums = defaultdict(list)
    if ids:
        query = (select(ProgressUpdate.task_id, UpdateMetric.name, UpdateMetric.unit, func.sum(UpdateMetric.value))
                 .join(UpdateMetric, UpdateMetric.update_id == ProgressUpdate.id)
                 .where(ProgressUpdate.task_id.in_(ids))
                 .group_by(ProgressUpdate.task_id, UpdateMetric.name, UpdateMetric.unit)
                 .order_by(ProgressUpdate.task_id, UpdateMetric.name))
        for task_id, name, unit, total in db.session.execute(query):
            sums[task_id].append((name, Decimal(total), unit))
    return [LedgerRow(t, light(t, today), latest.get(t.id), sums.get(t.id, [])) for t in tasks]
