"""The sweep's 督办单逾期 notices: once per overdue notice and recipient, to the task's lead and the issuing
organisation's committee."""
from datetime import date, datetime

from sqlalchemy import and_, select, union_all

from tracker.models import Notification, PlanTask, Supervision, User
from tracker.services.reminders.sql import insert_ignoring, lit_date, lit_moment, lit_str
from tracker.services.supervision import rules

COLUMNS = ["recipient_id", "task_id", "kind", "key_date", "source_id", "for_date", "due_date", "note", "created_at"]


def escalate(day: date, now: datetime, org_cond) -> int:
    """Write the notices for supervisions overdue on `day`; keyed by respond_by and the supervision, so a rerun,
    or the next day's sweep, adds nothing."""
    overdue = and_(rules.overdue_sql(day), org_cond)
    to_lead = select(PlanTask.lead_id.label("rid"), Supervision.id.label("sid")) \
        .join(PlanTask, PlanTask.id == Supervision.task_id).where(overdue, PlanTask.lead_id.is_not(None))
    to_issuer = select(User.id.label("rid"), Supervision.id.label("sid")) \
        .join(PlanTask, PlanTask.id == Supervision.task_id) \
        .join(User, and_(User.org_id == Supervision.issuer_org_id, User.role == "committee")).where(overdue)
    people = union_all(to_lead, to_issuer).subquery()
    query = select(people.c.rid, Supervision.task_id, lit_str("supervision_overdue"), Supervision.respond_by,
                   Supervision.id, lit_date(day), PlanTask.due_date, Supervision.number, lit_moment(now)) \
        .join_from(people, Supervision, Supervision.id == people.c.sid) \
        .join(PlanTask, PlanTask.id == Supervision.task_id) \
        .join(User, User.id == people.c.rid).where(User.is_active_account.is_(True))
    return insert_ignoring(Notification.__table__, COLUMNS, query)
