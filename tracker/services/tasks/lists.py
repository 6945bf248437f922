"""Task lists for the pages: every filter, the light included, and every sort done in SQL."""
from dataclasses import dataclass, replace
from datetime import date

from flask import current_app
from sqlalchemy import case, func, literal, select, union_all
from sqlalchemy.orm import joinedload, selectinload

from tracker.extensions import db
from tracker.models import Organisation, Plan, PlanTask, PlanTheme, User, task_co_owner, task_is_open
from tracker.services.people.orgs import visible_org_ids
from tracker.services.tasks import acknowledgement, counting
from tracker.services.tasks.lights import URGENCY, bounds, light_condition, urgency_column
from tracker.services.tasks.queries import TaskFilters, visible_tasks

SORTS = {
    "urgency": "最紧急在前", "due": "完成时限由近到远", "-due": "完成时限由远到近",
    "progress": "进度由低到高", "-progress": "进度由高到低", "-updated": "最近更新在前", "title": "任务名称",
    "theme": "按主题",
}


@dataclass
class ListFilters(TaskFilters):
    """The API's filters plus what the pages add: light, unit, organisation, year, lead, parent."""

    light: str | None = None
    unit: str | None = None
    org_id: int | None = None
    year: int | None = None
    lead: str | None = None
    open_only: bool = False
    sort: str = "urgency"


def _filtered(user: User, f: ListFilters, today: date):
    query = visible_tasks(user, f, today)
    if f.light:
        query = query.where(light_condition(f.light, bounds(today)))
    if f.unit:
        query = query.where(PlanTask.unit.ilike(f"%{f.unit.replace('%', '').replace('_', '')}%"))
    if f.org_id is not None:
        query = query.where(PlanTask.org_id.in_(
            select(Organisation.id).where(Organisation.path.startswith(
                select(Organisation.path).where(Organisation.id == f.org_id).scalar_subquery()))))
    if f.year is not None:
        query = query.where(PlanTask.plan_id.in_(select(Plan.id).where(Plan.year == f.year)))
    if f.lead:
        query = query.where(PlanTask.lead_id.in_(select(User.id).where(User.username == f.lead)))
    if f.open_only:
        query = query.where(task_is_open())
    return query


def _order(query, sort: str, today: date):
    due_last = PlanTask.due_date.is_(None)
    if sort == "due":  # as ix_plan_task_due_id is ordered, so the database can read it off the index
        return query.order_by(PlanTask.due_date.asc().nulls_last(), PlanTask.id)
    if sort == "-due":
        return query.order_by(due_last, PlanTask.due_date.desc(), PlanTask.id)
    if sort == "progress":
        return query.order_by(PlanTask.progress, PlanTask.id)
    if sort == "-progress":
        return query.order_by(PlanTask.progress.desc(), PlanTask.id)
    if sort == "-updated":
        return query.order_by(PlanTask.updated_at.desc(), PlanTask.id.desc())
    if sort == "title":
        return query.order_by(PlanTask.title, PlanTask.id)
    if sort == "theme":
        theme_pos = select(PlanTheme.position).where(PlanTheme.id == PlanTask.theme_id).scalar_subquery()
        return query.order_by(theme_pos, PlanTask.parent_id.is_not(None), func.coalesce(PlanTask.parent_id, PlanTask.id),
                              PlanTask.id)
    return query.order_by(urgency_column(bounds(today)), due_last, PlanTask.due_date, PlanTask.id)


def _most_urgent(query, today: date, page: int, per_page: int):
    """The page's ids in urgency order, reading each light's tasks in due-date order only as far as the page
    needs, instead of working out the light of every task and sorting them all (a county's list sorted all
    100,000 tasks: 151 ms; bench/page_time.py)."""
    b, upto = bounds(today), page * per_page
    due_order = (PlanTask.due_date.asc().nulls_last(), PlanTask.id)  # the due-date indexes' order
    parts = [query.with_only_columns(PlanTask.id, PlanTask.due_date, literal(rank).label("rank"))
             .where(light_condition(light, b)).order_by(*due_order).limit(upto).subquery()
             for rank, light in enumerate(URGENCY)]
    merged = union_all(*(select(part.c.id, part.c.due_date, part.c.rank) for part in parts)).subquery()
    return select(merged.c.id).order_by(merged.c.rank, merged.c.due_date.asc().nulls_last(), merged.c.id) \
        .limit(per_page).offset((page - 1) * per_page)


def task_list(user: User, f: ListFilters, today: date, page: int, per_page: int) -> tuple[list[PlanTask], int]:
    """One page of the tasks the user may read, filtered and sorted, with the total (LIST_COUNT_CAP + 1 for more
    than LIST_COUNT_CAP: web.Pager says "余")."""
    query = _filtered(user, f, today)
    total = counting.total(user, today, replace(f, sort=""), query,  # one total whatever the order
                           cap=current_app.config["LIST_COUNT_CAP"])
    loads = (joinedload(PlanTask.owner), joinedload(PlanTask.lead), joinedload(PlanTask.theme),
             joinedload(PlanTask.org), selectinload(PlanTask.co_owners))
    if f.sort == "urgency":
        ids = db.session.scalars(_most_urgent(query, today, page, per_page)).all()
    else:
        # The page's ids first, then their rows: an offset steps over ids alone, not over joined rows (page 4,990
        # of a county's list by due date: 281 → 59 ms of SQL; bench/page_time.py).
        ids = db.session.scalars(_order(query.with_only_columns(PlanTask.id), f.sort, today)
                                 .limit(per_page).offset((page - 1) * per_page)).all()
    found = {t.id: t for t in db.session.scalars(select(PlanTask).where(PlanTask.id.in_(ids)).options(*loads))}
    return [found[i] for i in ids], total


def my_tasks(user: User, today: date, page: int, per_page: int, f: ListFilters | None = None, *,
             include_closed: bool = False):
    """Tasks the user owns or helps with, filtered; 待签收 first, then most urgent first (red, yellow, green,
    then by due date), unless another sort is asked for. Closed tasks only with `include_closed`; drafts never."""
    f = f or ListFilters()
    # One id list from two indexes (owner, co-owner): an OR here makes PostgreSQL read every task of the unit.
    mine = PlanTask.id.in_(union_all(select(PlanTask.id).where(PlanTask.owner_id == user.id),
                                     select(task_co_owner.c.task_id).where(task_co_owner.c.user_id == user.id)))
    query = _filtered(user, f, today).where(mine, PlanTask.status != "draft")
    if not include_closed:
        query = query.where(task_is_open())
    # Sort the user's few hundred tasks by id and sort keys alone, counting them in the same pass
    # (count(*) OVER ()), then load only the page's rows with their theme and owner. In the default order
    # 待签收 comes first (issue 17): a task just assigned is confirmed before anything else is done.
    first = (case((acknowledgement.pending_sql(), 0), else_=1),) if f.sort == "urgency" else ()
    page_ids = _order(query.with_only_columns(PlanTask.id, func.count().over().label("total")).order_by(*first),
                      f.sort, today).limit(per_page).offset((page - 1) * per_page).subquery()
    found = db.session.execute(_order(select(PlanTask, page_ids.c.total).join(page_ids, page_ids.c.id == PlanTask.id)
                                      .order_by(*first), f.sort, today)
                               .options(joinedload(PlanTask.theme), joinedload(PlanTask.owner))).all()
    if found:
        return [task for task, _ in found], found[0].total
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) if page > 1 else 0
    return [], total


def led_open_count(user: User) -> int:
    """How many open tasks the user leads (for a leader's landing page)."""
    return db.session.scalar(select(func.count()).select_from(PlanTask).where(
        PlanTask.lead_id == user.id, task_is_open())) or 0


def theme_choices(user: User) -> list[tuple[str, str]]:
    """Theme keys (with a title) of the plans the user may read, in one statement."""
    themes = db.session.execute(select(PlanTheme.key, func.min(PlanTheme.title)).join(Plan)
                                .where(Plan.org_id.in_(visible_org_ids(user))).group_by(PlanTheme.key)
                                .order_by(func.min(PlanTheme.position), PlanTheme.key)).all()
    return [(k, t) for k, t in themes]


# Beyond this many people a list of them would go into every list page (a city's 4,004 made the task list
# 555 KB and 245 ms of Python); the owner and lead filters then take a username instead.
PEOPLE_TO_LIST = 200


def filter_choices(user: User) -> dict:
    """Theme keys, people (None when there are too many to list) and organisations to filter by, in three
    statements."""
    orgs = visible_org_ids(user)
    themes = theme_choices(user)
    people = db.session.execute(select(User.username, User.name).where(
        User.org_id.in_(orgs), User.role.in_(("committee", "leader", "cadre")))
        .order_by(User.name, User.username).limit(PEOPLE_TO_LIST + 1)).all()
    org_rows = db.session.execute(select(Organisation.id, Organisation.name, Organisation.path).where(
        Organisation.id.in_(orgs)).order_by(Organisation.path)).all()
    return {"themes": themes, "people": [(u, n) for u, n in people] if len(people) <= PEOPLE_TO_LIST else None,
            "orgs": [(i, n) for i, n, _ in org_rows]}
