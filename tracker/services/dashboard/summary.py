"""Dashboard aggregates (仪表盘): counts and progress computed by the database, a fixed number of statements."""
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, case, func, literal, select, text, tuple_, union_all
from sqlalchemy.orm import joinedload

from tracker.extensions import db
from tracker.models import (
    STATUSES,
    Organisation,
    Plan,
    PlanTask,
    PlanTheme,
    ProgressUpdate,
    TaskTarget,
    UpdateMetric,
    User,
)
from tracker.services.figures.targets import share
from tracker.services.people.orgs import visible_org_ids
from tracker.services.reporting.page import days_left, deadline
from tracker.services.tasks import counting
from tracker.services.tasks.lights import LIGHTS, bounds, light_column, light_condition

OVERDUE_LIMIT = 20
# A county has hundreds of owners (a city thousands): the shared counts keep the most overdue ones, which the
# page shows, and all of them under a key of their own (4,004 owners made every view decode 4,004 groups).
OWNER_ROWS = 30
CACHE_FORMAT = 4  # raise when what `counts` returns changes shape: old entries are then never read


@dataclass
class Group:
    """One row of a breakdown: a key, its label, how many tasks, their average progress and lights."""

    key: object
    label: str
    total: int = 0
    progress: int = 0
    lights: dict = field(default_factory=lambda: dict.fromkeys(LIGHTS, 0))


@dataclass
class Dashboard:
    year: int
    total: int
    by_status: dict
    by_light: dict
    themes: list[Group]
    sections: list[Group]
    owners: list[Group]  # the most overdue first; all of them, or the first OWNER_ROWS
    orgs: list[Group]
    overdue: list[PlanTask]
    overdue_total: int
    targets: list["FigureTarget"] = field(default_factory=list)
    owner_total: int = 0  # how many owners in all


def _scope(user: User, year: int):
    """Conditions for the tasks the user may read in that year's plans."""
    return (PlanTask.org_id.in_(visible_org_ids(user)),
            PlanTask.plan_id.in_(select(Plan.id).where(Plan.year == year)))


def _base(user: User, year: int, today: date):
    """The year's visible tasks with their light as a plain column, so GROUP BY works the same on SQLite and
    PostgreSQL (which would not match a CASE repeated with fresh parameters)."""
    return select(PlanTask.status, PlanTask.progress, PlanTask.theme_id, PlanTask.owner_id, PlanTask.org_id,
                  PlanTask.report_section, light_column(bounds(today)).label("light")
                  ).where(*_scope(user, year))


# The breakdowns, each by light; a row's `grouping` says which (bit set: column not grouped, status leftmost).
DIMENSIONS = ("status", "theme_id", "report_section", "owner_id", "org_id")
GROUPING = {dim: sum(1 << (len(DIMENSIONS) - 1 - i) for i, other in enumerate(DIMENSIONS) if other != dim)
            for dim in DIMENSIONS}


def _rollup(base_select):
    """Counts and progress sums (cancelled tasks left out of the average) for every breakdown in one statement,
    labels joined on. PostgreSQL groups by GROUPING SETS in a single pass over the tasks; elsewhere the
    tasks go into a CTE that five GROUP BYs read."""
    base = base_select.cte("dashboard_base") if db.engine.dialect.name != "postgresql" else base_select.subquery()
    live = base.c.status != "cancelled"
    measures = (base.c.light, func.count().label("n"),
                func.sum(case((live, base.c.progress), else_=0)).label("progress_sum"),
                func.sum(case((live, 1), else_=0)).label("counted"))
    if db.engine.dialect.name == "postgresql":
        # Room to hash every set: with the default 4 MB one set is sorted instead, on disk at county size.
        db.session.execute(text("SET LOCAL work_mem = '32MB'"))
        cols = [base.c[d] for d in DIMENSIONS]
        inner = select(*cols, func.grouping(*cols).label("grouping"), *measures).group_by(
            func.grouping_sets(*(tuple_(c, base.c.light) for c in cols))).subquery()
    else:
        def one(dim):
            cols = [base.c[d] if d == dim else literal(None, base.c[d].type).label(d) for d in DIMENSIONS]
            return select(*cols, literal(GROUPING[dim]).label("grouping"), *measures).group_by(base.c[dim],
                                                                                              base.c.light)
        inner = union_all(*(one(d) for d in DIMENSIONS)).subquery()
    return select(inner, PlanTheme.key.label("theme_key"), PlanTheme.title.label("theme_title"),
                  User.username, User.name.label("owner_name"), Organisation.name.label("org_name")).select_from(
        inner.outerjoin(PlanTheme, PlanTheme.id == inner.c.theme_id)
        .outerjoin(User, User.id == inner.c.owner_id)
        .outerjoin(Organisation, Organisation.id == inner.c.org_id))


def _groups(rows) -> list[Group]:
    """Groups from (key, label, light, count, progress sum, tasks counted in the average) rows."""
    groups: dict = {}
    sums: dict = {}
    for key, label, lamp, count, progress_sum, counted in rows:
        g = groups.setdefault(key, Group(key, label or "未指定"))
        if isinstance(label, str) and label and label < g.label:  # themes of several plans: the smallest title
            g.label = label
        g.total += count
        g.lights[lamp] += count
        s = sums.setdefault(key, [0, 0])
        s[0] += int(progress_sum or 0)
        s[1] += int(counted or 0)
    for key, g in groups.items():
        total_progress, n = sums[key]
        g.progress = round(total_progress / n) if n else 0
    return list(groups.values())


THEME_ORDER = {"法": 0, "新": 1, "实": 2}


def most_overdue_first(groups: list[Group]) -> list[Group]:
    """Groups with the most red tasks first, then the most tasks, then by name."""
    return sorted(groups, key=lambda g: (-g.lights["red"], -g.total, g.label, str(g.key)))


def _count(user: User, year: int, today: date) -> dict:
    """Counts by status and light and every breakdown's groups, as JSON-able values (one statement)."""
    rows: dict = {dim: [] for dim in DIMENSIONS}
    which = {bits: dim for dim, bits in GROUPING.items()}
    for r in db.session.execute(_rollup(_base(user, year, today))):
        measures = (r.light, r.n, r.progress_sum, r.counted)
        dim = which[r.grouping]
        key, label = {"status": (r.status, ""), "theme_id": (r.theme_key, r.theme_title),
                      "report_section": (r.report_section, r.report_section), "owner_id": (r.username, r.owner_name),
                      "org_id": (r.org_id, r.org_name)}[dim]
        rows[dim].append((key, label, *measures))
    by_status = dict.fromkeys(STATUSES, 0)
    by_light = dict.fromkeys(LIGHTS, 0)
    for status, _, lamp, count, _, _ in rows["status"]:
        by_status[status] += count
        by_light[lamp] += count
    themes = _groups(rows["theme_id"])
    themes.sort(key=lambda g: (THEME_ORDER.get(g.key, 9), str(g.key)))
    sections = sorted(_groups(rows["report_section"]), key=lambda g: g.key)
    owners = most_overdue_first(_groups(rows["owner_id"]))
    orgs = _groups(rows["org_id"])
    orgs.sort(key=lambda g: g.label)
    overdue_ids = db.session.scalars(select(PlanTask.id).where(*_scope(user, year), light_condition("red", bounds(today)))
                                     .order_by(PlanTask.due_date, PlanTask.id).limit(OVERDUE_LIMIT)).all()
    targets = [{k: str(v) if isinstance(v, Decimal) else v for k, v in asdict(t).items()}
               for t in target_totals(user, year)]
    return {"by_status": by_status, "by_light": by_light, "overdue_ids": overdue_ids, "targets": targets,
            "owner_total": len(owners),
            **{name: [asdict(g) for g in groups] for name, groups in
               (("themes", themes), ("sections", sections), ("owners", owners), ("orgs", orgs))}}


def counts(user: User, year: int, today: date, every_owner: bool = False) -> dict:
    """The counts, breakdowns (the most overdue owners, or all of them), figure targets and the most overdue
    tasks' ids, shared while no task changes."""
    def compute():
        c = _count(user, year, today)
        return c if every_owner else {**c, "owners": c["owners"][:OWNER_ROWS]}
    return counting.shared(user, today, f"dashboard:{CACHE_FORMAT}:{year}:{'all' if every_owner else 'top'}",
                           compute)


def build(user: User, year: int, today: date, every_owner: bool = False) -> Dashboard:
    """Every figure of the dashboard for the tasks the user may read in that year."""
    c = counts(user, year, today, every_owner)
    themes, sections, owners, orgs = ([Group(**g) for g in c[name]] for name in ("themes", "sections", "owners", "orgs"))
    by_status, by_light = c["by_status"], c["by_light"]
    overdue = db.session.scalars(select(PlanTask).where(PlanTask.id.in_(c["overdue_ids"]))
                                 .options(joinedload(PlanTask.owner), joinedload(PlanTask.theme),
                                          joinedload(PlanTask.org))
                                 .order_by(PlanTask.due_date, PlanTask.id)).all()
    targets = [FigureTarget(**{**t, "target": Decimal(t["target"]), "actual": Decimal(t["actual"])})
               for t in c["targets"]]
    return Dashboard(year, sum(by_status.values()), by_status, by_light, themes, sections, owners, orgs,
                     overdue, by_light["red"], targets, c["owner_total"])


@dataclass
class FigureTarget:
    """One figure over the tasks that aim at it: the targets summed, what their updates reported, how many met."""

    name: str
    unit: str
    target: Decimal
    actual: Decimal
    tasks: int
    met: int

    @property
    def percent(self) -> int:
        return share(self.actual, self.target)


def target_totals(user: User, year: int) -> list[FigureTarget]:
    """指标完成情况 in one statement: per figure, the open and done tasks' targets against their updates' sums.

    A cancelled task's target no longer binds anyone, so it is left out (its figures still count in the report).
    """
    scope = select(PlanTask.id).where(*_scope(user, year), PlanTask.status != "cancelled")
    # Only the updates of tasks that carry a target: a county has millions of updates, few of them aimed at one.
    aimed = select(TaskTarget.task_id).where(TaskTarget.task_id.in_(scope))
    actual = (select(ProgressUpdate.task_id, UpdateMetric.name, UpdateMetric.unit,
                     func.sum(UpdateMetric.value).label("total"))
              .join(UpdateMetric, UpdateMetric.update_id == ProgressUpdate.id)
              .where(ProgressUpdate.task_id.in_(aimed))
              .group_by(ProgressUpdate.task_id, UpdateMetric.name, UpdateMetric.unit).subquery())
    got = func.coalesce(actual.c.total, 0)
    query = (select(TaskTarget.name, TaskTarget.unit, func.sum(TaskTarget.value), func.sum(got), func.count(),
                    func.sum(case((got >= TaskTarget.value, 1), else_=0)))
             .outerjoin(actual, and_(actual.c.task_id == TaskTarget.task_id, actual.c.name == TaskTarget.name,
                                     actual.c.unit == TaskTarget.unit))
             .where(TaskTarget.task_id.in_(scope))
             .group_by(TaskTarget.name, TaskTarget.unit).order_by(TaskTarget.name, TaskTarget.unit))
    return [FigureTarget(name, unit, Decimal(str(target or 0)), Decimal(str(done or 0)), count, int(met or 0))
            for name, unit, target, done, count, met in db.session.execute(query)]


@dataclass
class Countdown:
    """The next annual report due: its year, the 1 April it must be sent up and published before, days left."""

    year: int
    deadline: date
    days: int


def report_countdown(today: date) -> Countdown:
    """Until 1 April the report due is last year's; from then on, this year's (due next 1 April)."""
    year = today.year - 1 if today < date(today.year, 4, 1) else today.year
    return Countdown(year, deadline(year), days_left(year, today))


def years(user: User) -> list[int]:
    """The years that have a plan the user may read, newest first."""
    return list(db.session.scalars(select(Plan.year).where(Plan.org_id.in_(visible_org_ids(user)))
                                   .distinct().order_by(Plan.year.desc())))
