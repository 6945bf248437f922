"""Recurring tasks: each month's or quarter's instance, made by the sweep in time for its reminders."""
from datetime import date

from sqlalchemy import insert, select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import Plan, PlanTask, RecurringInstance, RecurringTask, User, task_co_owner
from tracker.models.reminders import recurring_co_owner
from tracker.models.types import utcnow
from tracker.services import audit, events
from tracker.services.calendar.workdays import add_workdays, any_provisional, effective_due, nth_workday_from
from tracker.services.errors import ValidationFailed
from tracker.services.people.access import require_committee
from tracker.services.people.co_owners import clean_co_owners
from tracker.services.plans.sections import clean_section
from tracker.services.tasks import thresholds
from tracker.services.validation import TITLE_MAX, UNIT_MAX, clean_int, clean_text

FREQUENCIES = {"monthly": "每月", "quarterly": "每季度"}


def period_start(day: date, frequency: str) -> date:
    month = day.month if frequency == "monthly" else 3 * ((day.month - 1) // 3) + 1
    return date(day.year, month, 1)


def next_period(start: date, frequency: str) -> date:
    step = 1 if frequency == "monthly" else 3
    month = start.month + step
    return date(start.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def period_label(start: date, frequency: str) -> str:
    return f"{start.year}年{start.month}月" if frequency == "monthly" else f"{start.year}年第{(start.month + 2) // 3}季度"


def instance_due(definition: RecurringTask, start: date) -> tuple[date, bool]:
    """The N-th working day of the period, and whether that rests on a provisional year."""
    due = nth_workday_from(start, definition.due_workdays)
    return due, any_provisional(start, due)


def create_recurring(actor: User, plan: Plan, data: dict) -> RecurringTask:
    """The committee defines a task that comes back every month or quarter of the plan's year."""
    require_committee(actor, plan.org_id, "recurring.create")
    errors: dict = {}
    title = clean_text(errors, "title", "任务名称", data.get("title"), max_len=TITLE_MAX, required=True)
    unit = clean_text(errors, "unit", "责任单位", data.get("unit"), max_len=UNIT_MAX)
    section = clean_section(errors, "report_section", data.get("report_section"), plan.org, plan.year)
    due_workdays = clean_int(errors, "due_workdays", "每期第几个工作日完成", data.get("due_workdays"), low=1, high=40)
    frequency = data.get("frequency")
    if frequency not in FREQUENCIES:
        errors["frequency"] = "周期须为每月或每季度"
    theme = plan.theme_by_key(data.get("theme")) if isinstance(data.get("theme"), str) else None
    if theme is None:
        errors["theme"] = "主题须为本计划的主题之一"
    people = {}
    for field, label in (("owner", "责任人"), ("lead", "牵头领导")):
        name = data.get(field)
        if not name:
            if field == "owner":
                errors[field] = "责任人不能为空"
            continue
        user = db.session.scalar(select(User).where(User.username == name)) if isinstance(name, str) else None
        if user is None or user.org_id != plan.org_id or not user.is_active_account:
            errors[field] = f"{label}须为本单位在用的用户"
        elif field == "lead" and user.role not in ("leader", "committee"):
            errors[field] = "牵头领导须为分管领导或党政办人员"
        people[field] = user
    co_owners = clean_co_owners(errors, data.get("co_owners"), plan.org_id)
    if people.get("owner") is not None and people["owner"] in co_owners:
        errors["co_owners"] = "责任人不必再列为协办人"
    if errors:
        raise ValidationFailed("提交的内容有误,请检查标出的字段。", errors)
    definition = RecurringTask(plan_id=plan.id, org_id=plan.org_id, theme_id=theme.id, title=title, unit=unit,
                               report_section=section, owner_id=people["owner"].id,
                               lead_id=people["lead"].id if people.get("lead") else None,
                               frequency=frequency, due_workdays=due_workdays, is_active=True, co_owners=co_owners)
    db.session.add(definition)
    db.session.flush()
    audit.record(actor, "recurring.create", obj=definition, org_id=plan.org_id,
                 changes={"title": title, "frequency": frequency, "due_workdays": due_workdays,
                          "co_owners": [u.username for u in co_owners]})
    return definition


def _make_instance(definition: RecurringTask, start: date) -> PlanTask:
    from tracker.services.reminders.immediate import notify
    due, provisional = instance_due(definition, start)
    task = PlanTask(plan_id=definition.plan_id, org_id=definition.org_id, theme_id=definition.theme_id,
                    title=f"{definition.title}({period_label(start, definition.frequency)})"[:TITLE_MAX],
                    description="", report_section=definition.report_section, owner_id=definition.owner_id,
                    lead_id=definition.lead_id, unit=definition.unit, start_date=start, due_date=due,
                    status="assigned", progress=0, assigned_at=utcnow())
    db.session.add(task)
    db.session.flush()
    db.session.add(RecurringInstance(recurring_id=definition.id, period_start=start, task_id=task.id,
                                     is_provisional=provisional))
    entry = audit.record(None, "task.create", task=task, changes={
        "recurring": definition.id, "due_date": (None, due), "status": (None, "assigned")})
    notify("assigned", task, [definition.owner, *definition.co_owners], actor=None, entry=entry)
    return task


def _copy_co_owners(task_ids: list[int]) -> None:
    """Give new instances their definition's active co-owners, in one statement however many were made."""
    rows = select(RecurringInstance.task_id, recurring_co_owner.c.user_id) \
        .join(recurring_co_owner, recurring_co_owner.c.recurring_id == RecurringInstance.recurring_id) \
        .join(User, User.id == recurring_co_owner.c.user_id) \
        .where(RecurringInstance.task_id.in_(task_ids), User.is_active_account.is_(True))
    db.session.execute(insert(task_co_owner).from_select(["task_id", "user_id"], rows))


def ensure_instances(day: date) -> int:
    """Create the current period's instance (until its due date) and the next one once its reminders are near."""
    definitions = db.session.scalars(select(RecurringTask).join(Plan, Plan.id == RecurringTask.plan_id).where(
        RecurringTask.is_active.is_(True), Plan.year == day.year).options(
        selectinload(RecurringTask.owner), selectinload(RecurringTask.co_owners))).all()
    if not definitions:
        return 0
    have = set(db.session.execute(select(RecurringInstance.recurring_id, RecurringInstance.period_start).where(
        RecurringInstance.recurring_id.in_([d.id for d in definitions]))).all())
    made: list[int] = []
    for definition in definitions:
        current = period_start(day, definition.frequency)
        upcoming = next_period(current, definition.frequency)
        wanted = []
        if effective_due(instance_due(definition, current)[0]) >= day:
            wanted.append(current)
        lead_time = thresholds.rules_for(definition.org_id).due_soon_workdays + 1
        if upcoming.year == day.year and instance_due(definition, upcoming)[0] <= add_workdays(day, lead_time):
            wanted.append(upcoming)
        for start in wanted:
            if (definition.id, start) not in have:
                made.append(_make_instance(definition, start).id)
                have.add((definition.id, start))
    if made:
        db.session.flush()
        _copy_co_owners(made)
    return len(made)


@events.calendar_confirmed.connect
def _year_confirmed(year: int, **_) -> None:
    recompute_provisional()


def recompute_provisional() -> int:
    """Due dates worked out on a guessed year are worked out again once the year is known; owners are told."""
    from tracker.services.reminders.immediate import notify
    rows = db.session.scalars(select(RecurringInstance).where(RecurringInstance.is_provisional.is_(True)).options(
        selectinload(RecurringInstance.recurring),
        selectinload(RecurringInstance.task).selectinload(PlanTask.co_owners),
        selectinload(RecurringInstance.task).joinedload(PlanTask.owner))).all()
    changed = 0
    for row in rows:
        due, provisional = instance_due(row.recurring, row.period_start)
        if provisional:
            continue
        row.is_provisional = False
        task = row.task
        if task.is_closed or task.due_date == due:
            continue
        before = task.due_date
        task.due_date = due
        db.session.flush()
        entry = audit.record(None, "task.due_recomputed", task=task, changes={"due_date": (before, due)})
        notify("due_recomputed", task, [task.owner, *task.co_owners], actor=None, entry=entry)
        changed += 1
    return changed


def definitions_of(org_id: int) -> list[RecurringTask]:
    return list(db.session.scalars(select(RecurringTask).where(RecurringTask.org_id == org_id)
                                   .options(selectinload(RecurringTask.owner), selectinload(RecurringTask.co_owners))
                                   .order_by(RecurringTask.id)))


def stop_recurring(actor: User, definition: RecurringTask) -> None:
    require_committee(actor, definition.org_id, "recurring.stop")
    definition.is_active = False
    db.session.flush()
    audit.record(actor, "recurring.stop", obj=definition, org_id=definition.org_id, changes={"is_active": (True, False)})
