"""Figures that add up: sums of the increments updates report (in SQL), and the change against the baseline."""
import hashlib
from dataclasses import dataclass, field
from datetime import timezone
from decimal import Decimal

from sqlalchemy import String, cast, exists, func, select
from sqlalchemy.orm import aliased

from tracker.extensions import db
from tracker.models import BaselineFigure, PlanTask, ProgressUpdate, UpdateMetric

CENT = Decimal("0.01")
Key = tuple[str, str]  # (name, unit): figures are compared by both, across the organisation


@dataclass
class Source:
    """What one task contributed to a figure, and the updates that reported it."""

    task_id: int
    section: int
    value: Decimal
    is_cancelled: bool
    update_ids: list[int] = field(default_factory=list)
    corrected_ids: list[int] = field(default_factory=list)  # updates whose figures these corrections replace


@dataclass
class Figure:
    """A figure summed over the plan's tasks, with its baseline and change."""

    name: str
    unit: str
    total: Decimal = Decimal(0)
    sources: list[Source] = field(default_factory=list)
    baseline: Decimal | None = None
    baseline_is_approximate: bool = False
    kind: str = "flow"  # flow (累计) or stock (现有: the latest value per task, summed across tasks)
    position: int = 10_000  # the catalogue's order; figures outside the catalogue come after it
    home: int | None = None  # the catalogue's report section: where the prose states the figure
    not_compared: str = ""  # why last year's figure is not compared with this one (another kind, scope)
    _by_section: dict | None = field(default=None, repr=False, compare=False)
    _cancelled: Decimal | None = field(default=None, repr=False, compare=False)

    @property
    def key(self) -> Key:
        return self.name, self.unit

    @property
    def change(self) -> Decimal | None:
        return None if self.baseline is None else self.total - self.baseline

    @property
    def cancelled_total(self) -> Decimal:
        if self._cancelled is None:
            self._cancelled = sum((s.value for s in self.sources if s.is_cancelled), Decimal(0))
        return self._cancelled

    def section_total(self, section: int) -> Decimal:
        return self.by_section().get(section, Decimal(0))

    def section_cancelled(self, section: int) -> Decimal:
        return sum((s.value for s in self.sources if s.section == section and s.is_cancelled), Decimal(0))

    def by_section(self) -> dict[int, Decimal]:
        """Totals per report section (computed once: a big year has thousands of sources per figure)."""
        if self._by_section is None:
            totals: dict[int, Decimal] = {}
            for s in self.sources:
                totals[s.section] = totals.get(s.section, Decimal(0)) + s.value
            self._by_section = dict(sorted(totals.items()))
        return self._by_section

    @property
    def sections(self) -> list[int]:
        return list(self.by_section())

    def as_dict(self) -> dict:
        """JSON-friendly, as stored on the draft (every number with where it came from)."""
        return {"name": self.name, "unit": self.unit, "total": number(self.total),
                "baseline": None if self.baseline is None else number(self.baseline),
                "baseline_is_approximate": self.baseline_is_approximate, "kind": self.kind,
                "not_compared": self.not_compared,
                "change": None if self.change is None else number(self.change),
                "cancelled_total": number(self.cancelled_total), "sections": self.sections,
                "sources": [{"task_id": s.task_id, "section": s.section, "value": number(s.value),
                             "is_cancelled": s.is_cancelled, "update_ids": s.update_ids,
                             "corrected_ids": s.corrected_ids} for s in self.sources]}


def number(value: Decimal | int | float) -> str:
    """12 not 12.00; 2.5 stays 2.5 (the prose must be exact). String work: it runs for every source."""
    text = format(value if isinstance(value, Decimal) else Decimal(value), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _id_list(column):
    """The ids of a group as one string: the updates behind a sum, in the same query as the sum."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.string_agg(cast(column, String), ",")
    return func.group_concat(column)


def cents(value) -> Decimal:
    """Figures carry two decimals; SQLite sums them as floats, so round back to cents."""
    return Decimal(value or 0).quantize(CENT)


def plan_figures(plan_id: int, tasks: dict[int, tuple[int, bool]], digest: "Digest | None" = None,
                 stocks: frozenset = frozenset()) -> dict[Key, Figure]:
    """Every figure of the plan's tasks summed in SQL per task, with the updates behind each sum.

    `tasks` maps task id to (report section, is cancelled); `digest` collects the metric part of the
    fingerprint from the same rows, so generating needs no extra query for it."""
    in_plan = select(PlanTask.id).where(PlanTask.plan_id == plan_id)
    stmt = (select(ProgressUpdate.task_id, UpdateMetric.name, UpdateMetric.unit, func.sum(UpdateMetric.value),
                   func.count(UpdateMetric.id), func.max(UpdateMetric.id), _id_list(UpdateMetric.update_id))
            .join(ProgressUpdate, UpdateMetric.update_id == ProgressUpdate.id)
            .where(ProgressUpdate.task_id.in_(in_plan), counted())
            .group_by(ProgressUpdate.task_id, UpdateMetric.name, UpdateMetric.unit))
    figures: dict[Key, Figure] = {}
    # Core execution: a year's figures are thousands of rows, and ORM row handling would double the time.
    for task_id, name, unit, total, count, max_id, ids in db.session.connection().execute(stmt).all():
        unit = unit or ""
        fig = figures.get((name, unit))
        if fig is None:
            fig = figures[(name, unit)] = Figure(name, unit)
        section, is_cancelled = tasks[task_id]
        value = cents(total)
        update_ids = sorted({int(i) for i in str(ids).split(",")}) if ids else []
        fig.sources.append(Source(task_id, section, value, is_cancelled, update_ids))
        fig.total += value
        if digest is not None:
            digest.metric(count, max_id, value, len(name) + len(unit))
    corrections = dict(db.session.execute(select(ProgressUpdate.id, ProgressUpdate.corrects_id).where(
        ProgressUpdate.task_id.in_(in_plan), ProgressUpdate.corrects_id.is_not(None))).all())
    if corrections:
        for fig in figures.values():
            for src in fig.sources:
                src.corrected_ids = sorted(corrections[i] for i in src.update_ids if i in corrections)
    stock_keys = [key for key in figures if key in stocks]
    if stock_keys:
        _latest_stock_values(plan_id, figures, stock_keys)
    for fig in figures.values():
        fig.sources.sort(key=lambda src: (src.section, src.task_id))
    return dict(sorted(figures.items()))


def counted():
    """SQL: an update counts unless a later one corrects it (更正; the original stays in the record)."""
    later = aliased(ProgressUpdate)
    return (~exists().where(later.corrects_id == ProgressUpdate.id)).label("is_counted")


def _latest_stock_values(plan_id: int, figures: dict[Key, Figure], keys: list[Key]) -> None:
    """A stock counts what each task reported last (现有网格员50人), not the sum of its reports."""
    in_plan = select(PlanTask.id).where(PlanTask.plan_id == plan_id)
    rows = db.session.connection().execute(
        select(ProgressUpdate.task_id, UpdateMetric.name, UpdateMetric.unit, UpdateMetric.value)
        .join(ProgressUpdate, UpdateMetric.update_id == ProgressUpdate.id)
        .where(ProgressUpdate.task_id.in_(in_plan), counted(), UpdateMetric.name.in_({name for name, _ in keys}))
        .order_by(ProgressUpdate.created_at, ProgressUpdate.id, UpdateMetric.id)).all()
    latest = {(task_id, name, unit or ""): cents(value) for task_id, name, unit, value in rows}
    for key in keys:
        fig = figures[key]
        for src in fig.sources:
            src.value = latest.get((src.task_id, *key), src.value)
        fig.total = sum((src.value for src in fig.sources), Decimal(0))


def baselines(org_id: int, year: int) -> dict[Key, BaselineFigure]:
    """The organisation's figures for `year`, by (name, unit)."""
    rows = db.session.scalars(select(BaselineFigure).where(BaselineFigure.org_id == org_id,
                                                           BaselineFigure.year == year))
    return {(b.name, b.unit): b for b in rows}


def compare(figures: dict[Key, Figure], base: dict[Key, BaselineFigure], catalogue: dict | None = None,
            merged: dict | None = None) -> list[Figure]:
    """Attach last year's figure to each of this year's where both count the same thing, in catalogue order.

    `catalogue` maps (name, unit) to (position, kind, section, description); `merged` maps an old name of
    an entry to its name now (分析研判 → 矛盾纠纷排查). A change is stated only between like definitions:
    same name, unit and kind, and — where last year's figure records its scope — the same scope."""
    catalogue, merged = catalogue or {}, merged or {}
    base = {merged.get(key, key): row for key, row in base.items()}
    out = []
    for key, fig in figures.items():
        position, fig.kind, fig.home, description = catalogue.get(key, (10_000, "flow", None, ""))
        fig.position = position
        row = base.get(key)
        if row is None:
            pass
        elif (row.kind or "flow") != fig.kind:
            fig.not_compared = (f"上年的{row.name}{number(row.value)}{row.unit}是{_KIND[row.kind or 'flow']}数，"
                                f"本年的是{_KIND[fig.kind]}数，口径不同，未作同比")
        elif row.scope and description and row.scope != description:
            fig.not_compared = f"上年统计口径为“{row.scope}”，本年为“{description}”，口径不同，未作同比"
        else:
            fig.baseline, fig.baseline_is_approximate = Decimal(row.value), row.is_approximate
        out.append(fig)
    for key, row in base.items():
        if key not in figures:
            position, kind, home, _ = catalogue.get(key, (10_000, row.kind or "flow", row.report_section, ""))
            out.append(Figure(key[0], key[1], Decimal(0), [], Decimal(row.value), row.is_approximate,
                              kind=row.kind or "flow", position=position, home=home))
    return sorted(out, key=lambda f: (f.position, f.name, f.unit))


_KIND = {"flow": "累计", "stock": "现有"}


def change_phrase(fig: Figure) -> str:
    """较上年增加5次 / 较上年减少3次 / 与上年持平; 约 where last year's figure was "820余人"."""
    change = fig.change
    if change is None:
        return ""
    about = "约" if fig.baseline_is_approximate else ""
    if change > 0:
        return f"较上年增加{about}{number(change)}{fig.unit}"
    if change < 0:
        return f"较上年减少{about}{number(-change)}{fig.unit}"
    return "与上年基本持平" if about else "与上年持平"


class Digest:
    """The plan's fingerprint from counts, maxima and sums of its tasks, updates and figures.

    Generating computes it from the rows it reads anyway; `fingerprint` computes the same numbers in SQL
    to tell whether anything was added or edited since (an update edited after generation)."""

    def __init__(self):
        self.tasks = [0, None, 0, 0]      # count, latest updated_at, sum of versions, sum of sections
        self.updates = [0, 0, 0, 0]       # count, max id, sum of note lengths, sum of percents
        self.metrics = [0, 0, CENT * 0, 0]  # count, max id, sum of values, sum of name+unit lengths

    def task(self, updated_at, version, section) -> None:
        t = self.tasks
        t[0] += 1
        t[1] = updated_at if t[1] is None or (updated_at and updated_at > t[1]) else t[1]
        t[2] += version or 0
        t[3] += section or 0

    def metric(self, count, max_id, value, name_unit_length) -> None:
        m = self.metrics
        m[0], m[1], m[2], m[3] = m[0] + count, max(m[1], max_id or 0), m[2] + value, m[3] + count * name_unit_length

    def hexdigest(self) -> str:
        when = self.tasks[1]
        parts = [self.tasks[0], when.astimezone(timezone.utc).isoformat() if when else "", *self.tasks[2:],
                 *self.updates, self.metrics[0], self.metrics[1], number(self.metrics[2]), self.metrics[3]]
        return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()


def fingerprint(plan_id: int) -> str:
    """The plan's fingerprint computed in SQL (see Digest)."""
    digest = Digest()
    count, latest, versions, sections = db.session.execute(select(
        func.count(PlanTask.id), func.max(PlanTask.updated_at), func.sum(PlanTask.version),
        func.sum(PlanTask.report_section)).where(PlanTask.plan_id == plan_id)).one()
    digest.tasks = [count, latest, versions or 0, sections or 0]
    in_plan = select(PlanTask.id).where(PlanTask.plan_id == plan_id)
    count, max_id, lengths, percents = db.session.execute(select(
        func.count(ProgressUpdate.id), func.max(ProgressUpdate.id), func.sum(func.length(ProgressUpdate.note)),
        func.sum(ProgressUpdate.percent)).where(ProgressUpdate.task_id.in_(in_plan))).one()
    digest.updates = [count, max_id or 0, lengths or 0, percents or 0]
    count, max_id, total, lengths = db.session.execute(select(
        func.count(UpdateMetric.id), func.max(UpdateMetric.id), func.sum(UpdateMetric.value),
        func.sum(func.length(UpdateMetric.name) + func.length(UpdateMetric.unit)))
        .join(ProgressUpdate, UpdateMetric.update_id == ProgressUpdate.id)
        .where(ProgressUpdate.task_id.in_(in_plan))).one()
    digest.metrics = [count, max_id or 0, cents(total), lengths or 0]
    return digest.hexdigest()
