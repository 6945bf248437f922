"""What the report page reads: which organisations and years have reports, the 1 April deadline, sources."""
from datetime import date

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Organisation, Plan, PlanTask, User
from tracker.services.people.orgs import visible_org_ids


def report_orgs(user: User) -> list[Organisation]:
    """Organisations the user may read that have at least one plan, own organisation first."""
    rows = db.session.scalars(select(Organisation).where(
        Organisation.id.in_(visible_org_ids(user)),
        Organisation.id.in_(select(Plan.org_id))).order_by(Organisation.path)).all()
    return sorted(rows, key=lambda o: o.id != user.org_id)


def plan_years(org: Organisation) -> list[int]:
    return list(db.session.scalars(select(Plan.year).where(Plan.org_id == org.id).order_by(Plan.year.desc())))


def due_year(today: date) -> int:
    """The year whose report is due next: last year's until its deadline (1 April), then the running year's."""
    return today.year - 1 if today < deadline(today.year - 1) else today.year


def default_year(years: list[int], today: date) -> int | None:
    """The report due next when its plan is there, else the latest plan year before it, else the latest."""
    due = due_year(today)
    earlier = [y for y in years if y <= due]
    return earlier[0] if earlier else (years[-1] if years else None)


def deadline(year: int) -> date:
    """The report on `year` is sent up and made public before 1 April of the next year."""
    return date(year + 1, 4, 1)


def days_left(year: int, today: date) -> int:
    """Days until the deadline; negative once it has passed."""
    return (deadline(year) - today).days


def is_late(year: int, today: date) -> bool:
    """A report sent after its deadline's day is 逾期报送 (on 1 April itself the page still says 今天截止)."""
    return days_left(year, today) < 0


def task_titles(ids) -> dict[int, tuple[str, str]]:
    """Task id → (title, status) for the sources of a draft."""
    ids = list(ids)
    if not ids:
        return {}
    return {i: (t, s) for i, t, s in db.session.execute(
        select(PlanTask.id, PlanTask.title, PlanTask.status).where(PlanTask.id.in_(ids)))}
