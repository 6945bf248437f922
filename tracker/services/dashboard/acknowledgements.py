"""未签收 on the dashboard (issue 17): the year's tasks waiting for 签收, per owner and per responsible unit."""
from datetime import date

from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import Plan, PlanTask, User
from tracker.services.people.orgs import visible_org_ids
from tracker.services.tasks import counting
from tracker.services.tasks.acknowledgement import pending_sql

ROWS = 30  # the most waiting owners and units; the total counts them all


def unacknowledged(user: User, year: int, today: date) -> dict:
    """{"total", "owners": [[username, name, n]…], "units": [[unit, n]…]}, most waiting first; three statements,
    shared while no task changes."""
    def compute() -> dict:
        cond = (PlanTask.org_id.in_(visible_org_ids(user)),
                PlanTask.plan_id.in_(select(Plan.id).where(Plan.year == year)), pending_sql())
        count = func.count().label("n")
        owners = db.session.execute(
            select(User.username, User.name, count).select_from(PlanTask).join(User, User.id == PlanTask.owner_id)
            .where(*cond)
            .group_by(User.username, User.name).order_by(count.desc(), User.name, User.username).limit(ROWS)).all()
        units = db.session.execute(
            select(PlanTask.unit, count).where(*cond).group_by(PlanTask.unit)
            .order_by(count.desc(), PlanTask.unit).limit(ROWS)).all()
        total = db.session.scalar(select(func.count()).select_from(PlanTask).where(*cond)) or 0
        return {"total": total, "owners": [[u, n, c] for u, n, c in owners], "units": [[u, c] for u, c in units]}
    return counting.shared(user, today, f"dashboard-unacknowledged:{year}", compute)
