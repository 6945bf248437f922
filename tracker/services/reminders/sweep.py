"""The sweep: everything due on a day, written once per recipient, task, kind and key date.

Every kind is one INSERT … SELECT … ON CONFLICT DO NOTHING over the tasks that are due (the date bounds are
worked out on China's calendar first), so the statement count never depends on the number of tasks, a rerun
or a second beat adds nothing, and a missed day is caught up where the rule allows it.
"""
from collections import Counter
from datetime import date, datetime, timedelta

from sqlalchemy import and_, delete, exists, func, or_, select, true, union_all

from tracker.extensions import db
from tracker.models import Notification, PlanTask, ReminderSweep, TaskRequest, User, task_co_owner
from tracker.models.types import utcnow
from tracker.services.calendar.clock import local_midnight
from tracker.services.calendar.workdays import is_workday, sub_workdays
from tracker.services.reminders import digest, recurring
from tracker.services.reminders.sql import (
    OPEN_STATUSES,
    insert_ignoring,
    lit_date,
    lit_int,
    lit_moment,
    lit_str,
)
from tracker.services.supervision import escalation as supervision
from tracker.services.tasks import acknowledgement, deadlines, thresholds

COLUMNS = ["recipient_id", "task_id", "kind", "key_date", "source_id", "for_date", "due_date", "note", "created_at"]
HEARTBEAT_KEEP_DAYS = 14


def rule_groups(org_column) -> list[tuple[thresholds.Rules, object]]:
    """Organisations grouped by their rules, as conditions on `org_column`; few groups, whatever the task count."""
    custom = thresholds.custom_rules()
    base = thresholds.defaults()
    by_rules: dict = {}
    for org_id, org_rules in custom.items():
        by_rules.setdefault(org_rules, []).append(org_id)
    same_as_base = by_rules.pop(base, [])
    cond = org_column.not_in(list(custom)) if custom else true()
    if same_as_base:
        cond = or_(cond, org_column.in_(same_as_base))
    return [(base, cond)] + [(r, org_column.in_(ids)) for r, ids in by_rules.items()]


def _workers(cond):
    """Owner and co-owners of the matching tasks."""
    owners = select(PlanTask.owner_id.label("rid"), PlanTask.id.label("tid"), PlanTask.due_date.label("due")) \
        .where(cond, PlanTask.owner_id.is_not(None))
    helpers = select(task_co_owner.c.user_id, PlanTask.id, PlanTask.due_date) \
        .join(task_co_owner, task_co_owner.c.task_id == PlanTask.id).where(cond)
    return union_all(owners, helpers).subquery()


def _owners_select(cond):
    return select(PlanTask.owner_id.label("rid"), PlanTask.id.label("tid"), PlanTask.due_date.label("due")) \
        .where(cond, PlanTask.owner_id.is_not(None))


def _leads_select(cond):
    return select(PlanTask.lead_id.label("rid"), PlanTask.id.label("tid"), PlanTask.due_date.label("due")) \
        .where(cond, PlanTask.lead_id.is_not(None))


def _committee_select(cond):
    return select(User.id.label("rid"), PlanTask.id.label("tid"), PlanTask.due_date.label("due")) \
        .join(User, and_(User.org_id == PlanTask.org_id, User.role == "committee")).where(cond)


def _add(kind: str, people, day: date, now: datetime, *, key_date=None, extra=None) -> int:
    """Write one notice per active recipient in `people` (rid, tid, due)."""
    query = select(people.c.rid, people.c.tid, lit_str(kind), key_date if key_date is not None else lit_date(day),
                   lit_int(0), lit_date(day), people.c.due, lit_str(""), lit_moment(now)) \
        .join_from(people, User, User.id == people.c.rid).where(User.is_active_account.is_(True))
    if extra is not None:
        query = query.where(extra)
    return insert_ignoring(Notification.__table__, COLUMNS, query)


def scheduled(day: date, now: datetime) -> Counter:
    """Create the day's scheduled notices; call only on a working day."""
    counts: Counter = Counter()
    for group, org_cond in rule_groups(PlanTask.org_id):
        base = and_(PlanTask.status.in_(OPEN_STATUSES), org_cond)
        # While its completion waits for review, only the reviewer is reminded (review_waiting below); the
        # deadline reminders resume if the request is returned.
        pressing = and_(base, ~deadlines.awaiting_review_sql())
        if group.is_on("due_soon"):
            # Due later than today: today's are due_today's. Keyed by the due date, so it is sent once per due
            # date and a missed day is caught up.
            people = _workers(and_(pressing, deadlines.due_within_sql(day, group.due_soon_workdays),
                                   PlanTask.due_date > day))
            counts["due_soon"] += _add("due_soon", people, day, now, key_date=people.c.due)
        if group.is_on("due_today"):
            counts["due_today"] += _add("due_today", _workers(and_(pressing, deadlines.due_today_sql(day))), day, now)
        if group.is_on("overdue"):
            counts["overdue"] += _add("overdue", _workers(and_(pressing, deadlines.past_due_sql(day))), day, now)
        if group.is_on("escalation"):
            to_lead = _leads_select(and_(pressing, deadlines.late_by_sql(day, group.escalate_lead_after)))
            to_committee = _committee_select(and_(pressing, deadlines.late_by_sql(day, group.escalate_committee_after)))
            counts["escalation"] += _add("escalation", union_all(to_lead, to_committee).subquery(), day, now)
        if group.is_on("review_waiting"):
            cutoff = local_midnight(sub_workdays(day, group.review_wait_workdays) + timedelta(days=1))
            waiting = PlanTask.id.in_(select(TaskRequest.task_id).where(
                TaskRequest.status == "pending", TaskRequest.created_at < cutoff))
            cond = and_(base, waiting)
            counts["review_waiting"] += _add(
                "review_waiting", union_all(_leads_select(cond), _committee_select(cond)).subquery(), day, now)
        if group.is_on("stalled"):
            people = _workers(and_(pressing, deadlines.stalled_sql(day, group.stalled_days)))
            recent = exists().where(
                Notification.task_id == people.c.tid, Notification.recipient_id == people.c.rid,
                Notification.kind == "stalled",
                Notification.key_date > day - timedelta(days=group.stalled_repeat_days))
            counts["stalled"] += _add("stalled", people, day, now, extra=~recent)
        if group.is_on("unacknowledged"):
            # 待签收, each working day until someone confirms: the owner first, the lead some days later.
            to_owner = _owners_select(and_(base, acknowledgement.waiting_sql(day, group.unacknowledged_owner_after)))
            to_lead = _leads_select(and_(base, acknowledgement.waiting_sql(day, group.unacknowledged_lead_after)))
            counts["unacknowledged"] += _add("unacknowledged", union_all(to_owner, to_lead).subquery(), day, now)
        if group.is_on("supervision_overdue"):
            counts["supervision_overdue"] += supervision.escalate(day, now, org_cond)
    return counts


def run_sweep(day: date, now: datetime | None = None, *, digest_due: bool = False) -> ReminderSweep:
    """One sweep as of `day`: recurring instances, the day's notices, digests, and a heartbeat; flushes only.

    `digest_due` makes the digests due whatever the clock says (a sweep run by hand for a past day).
    """
    now = now or utcnow()
    beat = ReminderSweep(for_date=day, started_at=now, counts={})
    db.session.add(beat)
    db.session.flush()
    counts: Counter = Counter()
    counts["recurring"] = recurring.ensure_instances(day)
    counts["recomputed"] = recurring.recompute_provisional()
    if is_workday(day):
        counts.update(scheduled(day, now))
        counts["digests"] = digest.create_digests(day, now, forced=digest_due)
    beat.counts = dict(counts)
    beat.finished_at = utcnow()
    db.session.execute(delete(ReminderSweep).where(
        ReminderSweep.started_at < now - timedelta(days=HEARTBEAT_KEEP_DAYS)))
    db.session.flush()
    return beat


def last_heartbeat() -> datetime | None:
    """When the last sweep finished."""
    return db.session.scalar(select(func.max(ReminderSweep.finished_at)))
