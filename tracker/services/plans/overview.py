"""The plan page's figures: which plan to show, and each theme's progress, counted in SQL."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload, selectinload

from tracker.extensions import db
from tracker.models import Plan, PlanTask, User
from tracker.services.people.access import can_read_org
from tracker.services.people.orgs import visible_org_ids
from tracker.services.tasks.lights import LIGHTS, bounds, light_column


@dataclass
class ThemeFigures:
    key: str
    title: str
    total: int
    done: int
    progress: int
    lights: dict


def visible_plans(user: User) -> list[Plan]:
    """Every plan the user may read, own organisation first, newest year first."""
    own_first = case((Plan.org_id == user.org_id, 0), else_=1)
    return list(db.session.scalars(select(Plan).where(Plan.org_id.in_(visible_org_ids(user)))
                                   .options(joinedload(Plan.org), selectinload(Plan.themes))
                                   .order_by(own_first, Plan.year.desc(), Plan.org_id)))


def pick(plans: list[Plan], user: User, plan_id: int | None, year: int) -> Plan | None:
    """The asked-for plan if readable, else the user's own plan for this year, else the first one."""
    if plan_id is not None:
        return next((p for p in plans if p.id == plan_id and can_read_org(user, p.org)), None)
    return next((p for p in plans if p.org_id == user.org_id and p.year == year), plans[0] if plans else None)


def theme_figures(plan: Plan, today: date) -> list[ThemeFigures]:
    """Per theme: tasks, done, average progress (cancelled left out) and lights, in one statement."""
    light = light_column(bounds(today))
    base = select(PlanTask.theme_id, PlanTask.status, PlanTask.progress, light.label("light")).where(
        PlanTask.plan_id == plan.id).subquery()
    live = base.c.status != "cancelled"
    rows = db.session.execute(select(
        base.c.theme_id, base.c.light, func.count(), func.sum(case((base.c.status == "done", 1), else_=0)),
        func.sum(case((live, base.c.progress), else_=0)), func.sum(case((live, 1), else_=0)),
    ).group_by(base.c.theme_id, base.c.light)).all()
    figures = {t.id: ThemeFigures(t.key, t.title, 0, 0, 0, dict.fromkeys(LIGHTS, 0)) for t in plan.themes}
    sums = {t.id: [0, 0] for t in plan.themes}
    for theme_id, lamp, count, done, progress_sum, live_n in rows:
        f = figures[theme_id]
        f.total += count
        f.done += int(done or 0)
        f.lights[lamp] += count
        sums[theme_id][0] += int(progress_sum or 0)
        sums[theme_id][1] += int(live_n or 0)
    for theme_id, (total, n) in sums.items():
        figures[theme_id].progress = round(total / n) if n else 0
    return [figures[t.id] for t in plan.themes]
