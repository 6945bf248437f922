"""Everything the draft is written from, loaded in a few set-based queries (a year may hold 20,000 updates)."""
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import (CLOSED_STATUSES, MetricDefinition, Plan, PlanTask, PlanTheme, ProgressUpdate, TaskRequest,
                            TaskTarget)
from tracker.services.figures.catalogue import MERGED
from tracker.services.figures.targets import TargetStatus
from tracker.services.reporting.figures import Digest, Figure, baselines, compare, counted, plan_figures
from tracker.services.tasks import deadlines
from tracker.services.tasks.thresholds import rules_for


@dataclass
class TaskRow:
    """A task as the draft needs it."""

    id: int
    title: str
    status: str
    section: int
    theme_key: str
    theme_title: str
    theme_position: int
    due_date: date | None
    progress: int
    last_progress_at: datetime | None
    assigned_at: datetime | None
    created_at: datetime
    unit: str = ""
    summary: str = ""  # the approved completion request's note: the task's 办结情况, in the owner's words
    notes: list[tuple[int, str]] = field(default_factory=list)  # (update id, narrative), oldest first
    targets: list[TargetStatus] = field(default_factory=list)
    extension_reasons: list[str] = field(default_factory=list)
    returned_comments: list[str] = field(default_factory=list)
    report_summary: str = ""  # the 报告摘要 the committee wrote on the report page (a task without 办结情况)

    @property
    def is_unfinished(self) -> bool:
        """Not done in its year: still open, or carried over to next year's plan (which closes it)."""
        return self.status not in CLOSED_STATUSES or self.status == "carried_over"


@dataclass
class YearData:
    plan: Plan
    tasks: list[TaskRow]
    figures: list[Figure]
    has_baseline: bool
    today: date
    fingerprint: str

    def in_section(self, section: int) -> list[TaskRow]:
        return [t for t in self.tasks if t.section == section]


def collect(plan: Plan, today: date, summaries: dict | None = None) -> YearData:
    """Tasks with their narratives, targets and requests, and the figures against last year's; `summaries`
    (task id as text → 报告摘要) are the committee's words for tasks without an approved 办结情况."""
    conn = db.session.connection()  # Core rows: ORM row handling would double the time on a big year
    digest = Digest()
    tasks, by_id = [], {}
    for *row, updated_at, version in conn.execute(
            select(PlanTask.id, PlanTask.title, PlanTask.status, PlanTask.report_section, PlanTheme.key,
                   PlanTheme.title, PlanTheme.position, PlanTask.due_date, PlanTask.progress,
                   PlanTask.last_progress_at, PlanTask.assigned_at, PlanTask.created_at, PlanTask.unit,
                   PlanTask.updated_at, PlanTask.version)
            .join(PlanTheme, PlanTheme.id == PlanTask.theme_id)
            .where(PlanTask.plan_id == plan.id).order_by(PlanTheme.position, PlanTask.id)).all():
        task = TaskRow(*row)
        task.report_summary = (summaries or {}).get(str(task.id), "")
        tasks.append(task)
        by_id[task.id] = task
        digest.task(updated_at, version, task.section)
    in_plan = select(PlanTask.id).where(PlanTask.plan_id == plan.id)
    updates = conn.execute(
        select(ProgressUpdate.task_id, ProgressUpdate.id, ProgressUpdate.note, ProgressUpdate.percent,
               ProgressUpdate.corrects_id, counted())
        .where(ProgressUpdate.task_id.in_(in_plan))
        .order_by(ProgressUpdate.task_id, ProgressUpdate.created_at, ProgressUpdate.id)).all()
    for task_id, update_id, note, _, corrects, is_counted in updates:
        if corrects is None and is_counted:  # a correction's note explains the correction, not the work
            by_id[task_id].notes.append((update_id, note))
    digest.updates = [len(updates), max((u[1] for u in updates), default=0),
                      sum(len(u[2] or "") for u in updates), sum(u[3] or 0 for u in updates)]
    for task_id, kind, status, note, comment in conn.execute(
            select(TaskRequest.task_id, TaskRequest.kind, TaskRequest.status, TaskRequest.note,
                   TaskRequest.decision_comment)
            .where(TaskRequest.task_id.in_(in_plan)).order_by(TaskRequest.id)):
        # Carrying a task over closes its pending request; the reason still explains that year's delay.
        if kind == "extension" and (status in ("pending", "approved")
                                    or status == "closed" and by_id[task_id].status == "carried_over"):
            by_id[task_id].extension_reasons.append(note)
        elif kind == "completion" and status == "returned":
            by_id[task_id].returned_comments.append(comment or "")
        elif kind == "completion" and status == "approved":
            by_id[task_id].summary = note or ""
    catalogue = {(name, unit): (position, kind, section, description or "")
                 for name, unit, position, kind, section, description in conn.execute(
                     select(MetricDefinition.name, MetricDefinition.unit, MetricDefinition.position,
                            MetricDefinition.kind, MetricDefinition.report_section, MetricDefinition.description)
                     .where(MetricDefinition.org_id == plan.org_id))}
    stocks = frozenset(key for key, entry in catalogue.items() if entry[1] == "stock")
    sums = plan_figures(plan.id, {t.id: (t.section, t.status == "cancelled") for t in tasks}, digest, stocks)
    actual = {(src.task_id, f.name, f.unit): src.value for f in sums.values() for src in f.sources}
    for task_id, name, unit, value in conn.execute(
            select(TaskTarget.task_id, TaskTarget.name, TaskTarget.unit, TaskTarget.value)
            .where(TaskTarget.task_id.in_(in_plan)).order_by(TaskTarget.id)):
        by_id[task_id].targets.append(TargetStatus(name, unit, Decimal(value),
                                                   actual.get((task_id, name, unit), Decimal(0))))
    base = baselines(plan.org_id, plan.year - 1)
    return YearData(plan, tasks, compare(sums, base, catalogue, MERGED), bool(base), today, digest.hexdigest())


def is_overdue(task: TaskRow, today: date) -> bool:
    """Unfinished in its year and past its effective due date (the tracker's own rule)."""
    return task.is_unfinished and deadlines.is_past_due(task.due_date, today)


def is_stalled(task: TaskRow, today: date, org_id: int) -> bool:
    """Unfinished, assigned, not overdue, and no activity for the organisation's stalled limit."""
    if not task.is_unfinished or task.status == "draft" or is_overdue(task, today):
        return False
    return deadlines.is_stalled(deadlines.last_activity(task), today, rules_for(org_id).stalled_days)
