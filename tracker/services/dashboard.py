"""Dashboard aggregates (仪表盘): counts and progress computed by the database, a fixed number of statements."""
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload

from tracker.extensions import db
from tracker.models import STATUSES, Organisation, Plan, PlanTask, PlanTheme, User
from tracker.services.light_sql import LIGHTS, bounds, light_column, light_condition
from tracker.services.orgs import visible_org_ids

OVERDUE_LIMIT = 20


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
    owners: list[Group]
    orgs: list[Group]
    overdue: list[PlanTask]
    overdue_total: int


def _scope(user: User, year: int):
    """Conditions for the tasks the user may read in that year's plans."""
    return (PlanTask.org_id.in_(visible_org_ids(user)),
            PlanTask.plan_id.in_(select(Plan.id).where(Plan.year == year)))


def _base(user: User, year: int, today: date):
    """A subquery of the year's visible tasks with their light as a plain column, so GROUP BY works the
    same on SQLite and PostgreSQL (which would not match a CASE repeated with fresh parameters)."""
    return select(PlanTask.status, PlanTask.progress, PlanTask.theme_id, PlanTask.owner_id, PlanTask.org_id,
                  PlanTask.report_section, light_column(bounds(today)).label("light")
                  ).where(*_scope(user, year)).subquery()


def _groups(base, key_col, label_col, joins=()) -> list[Group]:
    """Counts per key and light plus average progress (cancelled tasks left out of the average)."""
    live = base.c.status != "cancelled"
    query = select(key_col, label_col, base.c.light, func.count(),
                   func.sum(case((live, base.c.progress), else_=0)),
                   func.sum(case((live, 1), else_=0))).select_from(base)
    for target, onclause in joins:
        query = query.outerjoin(target, onclause)
    query = query.group_by(key_col, base.c.light)
    groups: dict = {}
    sums: dict = {}
    for key, label, lamp, count, progress_sum, counted in db.session.execute(query):
        g = groups.setdefault(key, Group(key, label or "未指定"))
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


def build(user: User, year: int, today: date) -> Dashboard:
    """Every figure of the dashboard for the tasks the user may read in that year."""
    base = _base(user, year, today)
    by_status = dict.fromkeys(STATUSES, 0)
    by_light = dict.fromkeys(LIGHTS, 0)
    for status, lamp, count in db.session.execute(
            select(base.c.status, base.c.light, func.count()).group_by(base.c.status, base.c.light)):
        by_status[status] += count
        by_light[lamp] += count
    themes = _groups(base, PlanTheme.key, func.min(PlanTheme.title), [(PlanTheme, PlanTheme.id == base.c.theme_id)])
    themes.sort(key=lambda g: (THEME_ORDER.get(g.key, 9), str(g.key)))
    sections = sorted(_groups(base, base.c.report_section, func.min(base.c.report_section)), key=lambda g: g.key)
    owners = _groups(base, User.username, func.min(User.name), [(User, User.id == base.c.owner_id)])
    owners.sort(key=lambda g: (-g.lights["red"], -g.total, g.label))
    orgs = _groups(base, base.c.org_id, func.min(Organisation.name),
                   [(Organisation, Organisation.id == base.c.org_id)])
    orgs.sort(key=lambda g: g.label)
    overdue = db.session.scalars(select(PlanTask).where(*_scope(user, year), light_condition("red", bounds(today)))
                                 .options(joinedload(PlanTask.owner), joinedload(PlanTask.theme),
                                          joinedload(PlanTask.org))
                                 .order_by(PlanTask.due_date, PlanTask.id).limit(OVERDUE_LIMIT)).all()
    return Dashboard(year, sum(by_status.values()), by_status, by_light, themes, sections, owners, orgs,
                     overdue, by_light["red"])


def years(user: User) -> list[int]:
    """The years that have a plan the user may read, newest first."""
    return list(db.session.scalars(select(Plan.year).where(Plan.org_id.in_(visible_org_ids(user)))
                                   .distinct().order_by(Plan.year.desc())))
