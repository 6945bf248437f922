"""Rankings (排名) by organisation, unit or owner: a fixed number of set-based statements, whatever the tasks."""
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

from sqlalchemy import case, func, select
from sqlalchemy.orm import aliased, joinedload

from tracker.extensions import db
from tracker.models import Organisation, Plan, PlanTask, TaskRequest, User, task_is_open
from tracker.services.errors import NotFound, PermissionDenied, ValidationFailed
from tracker.services.people.access import can_read_org, may_rank
from tracker.services.rankings.rates import counted_sql, done_on_time_sql, rate
from tracker.services.tasks.deadlines import past_due_sql
from tracker.services.validation import as_id, as_year, clean_date

GROUPINGS = {"org": "单位(下级)", "unit": "责任单位", "owner": "责任人"}
BY_LABELS = {"org": "各乡镇(单位)", "unit": "各责任单位", "owner": "各责任单位、各责任人"}
NO_UNIT = "(未填责任单位)"
OVERDUE_LIMIT = 50  # the 通报 names the first overdue tasks and counts the rest


@dataclass
class Row:
    """One ranked group: its counts, both rates (exact; None over no tasks) and its rank."""

    key: object
    name: str
    tasks: int = 0
    done: int = 0
    done_on_time: int = 0
    overdue: int = 0
    rank: int = 0

    @property
    def completion_rate(self) -> Fraction | None:
        return rate(self.done, self.tasks)

    @property
    def on_time_rate(self) -> Fraction | None:
        return rate(self.done_on_time, self.tasks)


@dataclass
class Ranking:
    org: Organisation
    year: int
    by: str
    start: date
    end: date
    rows: list[Row]
    total: Row = field(default_factory=lambda: Row(None, "合计"))


def parse(year_raw, by_raw, from_raw=None, to_raw=None) -> tuple[int, str, date, date]:
    """The query's year, grouping and period, checked; a period defaults to the plan's whole year."""
    errors: dict = {}
    year = as_year(year_raw)
    if year is None:
        errors["year"] = "年度须为2000到2100之间的四位年份"
    by = by_raw if by_raw in GROUPINGS else None
    if by is None:
        errors["by"] = "排名方式须为 org(下级单位)、unit(责任单位)或 owner(责任人)"
    start = clean_date(errors, "from", "起始日期", from_raw)
    end = clean_date(errors, "to", "截止日期", to_raw)
    if year is not None:
        start, end = start or date(year, 1, 1), end or date(year, 12, 31)
        # A plan's tasks fall due in its year, a few early the next (their dates stay bounded for the CASE).
        for name, label, day in (("from", "起始日期", start), ("to", "截止日期", end)):
            if name not in errors and not date(year, 1, 1) <= day <= date(year + 1, 12, 31):
                errors[name] = f"{label}须在{year}年1月1日至{year + 1}年12月31日之间"
        if "from" not in errors and "to" not in errors and start > end:
            errors["to"] = "截止日期不能早于起始日期"
    if errors:
        first = next(iter(errors.values()))
        raise ValidationFailed(f"查询条件有误:{first}", errors)
    return year, by, start, end


def scope_org(user: User, org_raw) -> Organisation:
    """The organisation ranked (the user's own by default); one the user may not read is not there."""
    if org_raw in (None, ""):
        return user.org
    org_id = as_id(org_raw)
    if org_id is None:
        raise ValidationFailed("参数 org 须为单位编号(正整数)", {"org": "须为正整数"})
    org = db.session.get(Organisation, org_id)
    if org is None or not can_read_org(user, org):
        raise NotFound("单位不存在", {"org": "单位不存在"})
    return org


def require_rank(user: User, org: Organisation, by: str) -> None:
    """Refuse a grouping the user may not see (kept in the audit trail)."""
    if not may_rank(user, org, by):
        message = "责任人只能查看按责任单位的排名" if user.role == "cadre" else "无权查看该排名"
        refusal = PermissionDenied(message, action="rankings.read")
        refusal.org_id = org.id
        raise refusal


def _year_tasks(year: int):
    return PlanTask.plan_id.in_(select(Plan.id).where(Plan.year == year))


def _in_scope(org: Organisation, year: int, by: str):
    """The tasks ranked: the subtree's for by=org, the organisation's own otherwise."""
    if by == "org":
        below = select(Organisation.id).where(Organisation.path.startswith(org.path))
        return (_year_tasks(year), PlanTask.org_id.in_(below))
    return (_year_tasks(year), PlanTask.org_id == org.id)


def _counts(conditions, start: date, end: date, today: date, keys=(), joins=()):
    """Rows of (keys…, tasks, done, done_on_time, overdue) over the counted tasks, grouped by `keys`."""
    where = (*conditions, counted_sql(start, end))
    dues = db.session.scalars(select(PlanTask.due_date).where(*where).distinct()).all()
    # A task is approved as done once (done is a final status), so this join adds at most one row a task.
    approved = aliased(TaskRequest)
    query = select(
        *keys, func.count(PlanTask.id),
        func.coalesce(func.sum(case((PlanTask.status == "done", 1), else_=0)), 0),
        func.coalesce(func.sum(case((done_on_time_sql(approved.created_at, dues), 1), else_=0)), 0),
        func.coalesce(func.sum(case((task_is_open() & past_due_sql(today), 1), else_=0)), 0),
    ).select_from(PlanTask)
    for target, on in joins:
        query = query.join(target, on)
    query = query.outerjoin(approved, (approved.task_id == PlanTask.id) & (approved.kind == "completion")
                            & (approved.status == "approved")).where(*where)
    if keys:
        query = query.group_by(*keys)
    return db.session.execute(query).all()


def _row(key, name, counts) -> Row:
    tasks, done, on_time, overdue = (int(v or 0) for v in counts)
    return Row(key, name, tasks, done, on_time, overdue)


def rank(rows: list[Row]) -> list[Row]:
    """By 按期办结率, then 办结率, highest first; equal rates share a rank; a rate over no tasks comes last."""
    def order(row: Row):
        on_time, done = row.on_time_rate, row.completion_rate
        return (on_time is None, -(on_time or 0), done is None, -(done or 0))
    ordered = sorted(rows, key=lambda r: (order(r), r.name))
    for i, row in enumerate(ordered):
        row.rank = ordered[i - 1].rank if i and order(ordered[i - 1]) == order(row) else i + 1
    return ordered


def boards(rows: list[Row], size: int = 3) -> tuple[list[Row], list[Row]]:
    """红榜 and 黑榜 of ranked rows: the upper half at most `size` (with those tied with its last) and the last
    `size` of the others, lowest rank first; groups without tasks due in the period are on neither."""
    rated = [r for r in rows if r.tasks]
    top = rated[:min(size, (len(rated) + 1) // 2)]
    rest = rated[len(top):]
    while top and rest and rest[0].rank == top[-1].rank:  # a tie shares its board
        top.append(rest.pop(0))
    return top, sorted(rest[-size:], key=lambda r: (-r.rank, r.name))


def ranking(user: User, year: int, by: str, start: date, end: date, today: date, org: Organisation | None = None
            ) -> Ranking:
    """The ranked groups of the organisation's tasks of that year's plan due in [start, end]."""
    org = org or user.org
    require_rank(user, org, by)
    scope = _in_scope(org, year, by)
    rows: list[Row]
    if by == "unit":
        rows = [_row(unit, unit or NO_UNIT, rest) for unit, *rest in
                _counts(scope, start, end, today, keys=(PlanTask.unit,))]
    elif by == "owner":
        rows = [_row(username, name, rest) for username, name, *rest in
                _counts(scope, start, end, today, keys=(User.username, User.name),
                        joins=((User, User.id == PlanTask.owner_id),))]
    else:
        child, task_org = aliased(Organisation), aliased(Organisation)
        found = {key: rest for key, *rest in _counts(
            scope, start, end, today, keys=(child.id,),
            joins=((task_org, task_org.id == PlanTask.org_id),
                   (child, task_org.path.startswith(child.path) & (child.parent_id == org.id))))}
        children = db.session.execute(select(Organisation.id, Organisation.name)
                                      .where(Organisation.parent_id == org.id)).all()
        rows = [_row(cid, name, found.get(cid, (0, 0, 0, 0))) for cid, name in children]
    result = Ranking(org, year, by, start, end, rank(rows))
    totals = _counts(scope, start, end, today)
    result.total = _row(None, "合计", totals[0] if totals else (0, 0, 0, 0))
    return result


def year_rates(user: User, year: int, today: date) -> Row:
    """Both rates over the tasks the user reads in that year's plans (the dashboard's figures)."""
    below = select(Organisation.id).where(Organisation.path.startswith(user.org.path))
    totals = _counts((_year_tasks(year), PlanTask.org_id.in_(below)), date(year, 1, 1), date(year, 12, 31), today)
    return _row(None, "合计", totals[0] if totals else (0, 0, 0, 0))


def overdue_tasks(result: Ranking, today: date, limit: int = OVERDUE_LIMIT) -> tuple[list[PlanTask], int]:
    """The ranked scope's open tasks past their effective due date, oldest due first, and how many in all."""
    where = (*_in_scope(result.org, result.year, result.by), counted_sql(result.start, result.end),
             task_is_open(), past_due_sql(today))
    total = db.session.scalar(select(func.count()).select_from(PlanTask).where(*where))
    rows = db.session.scalars(select(PlanTask).where(*where).options(
        joinedload(PlanTask.owner), joinedload(PlanTask.org)).order_by(PlanTask.due_date, PlanTask.id)
        .limit(limit)).all()
    return list(rows), total or 0
