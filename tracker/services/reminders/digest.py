"""Digests: one message per person, channel and working day, with everything open at that moment."""
from datetime import date, datetime, timedelta

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import aliased

from tracker.models import Delivery, Notification, PlanTask, User, delivery_item
from tracker.models.reminders import SCHEDULED_KINDS
from tracker.services.calendar.clock import local_zone
from tracker.services.reminders import channels
from tracker.services.reminders.sql import OPEN_STATUSES, insert_ignoring, lit_date, lit_int, lit_moment, lit_str

DELIVERY_COLUMNS = ["recipient_id", "org_id", "channel", "kind", "key_date", "notification_ref", "status",
                    "attempts", "last_error", "created_at"]
# Items older than this that were never in a digest (e.g. email switched on later) are left to the app.
LOOKBACK = timedelta(days=8)
URGENCY = {"escalation": 0, "overdue": 1, "due_today": 2, "review_waiting": 3, "due_soon": 4, "stalled": 5}


def _undigested(n, channel_expr, now: datetime):
    """Scheduled notices of open tasks, not yet in a digest of this channel."""
    earlier = aliased(Delivery)
    in_digest = exists().where(delivery_item.c.notification_id == n.id, earlier.id == delivery_item.c.delivery_id,
                               earlier.channel == channel_expr)
    return and_(n.kind.in_(SCHEDULED_KINDS), n.created_at <= now, n.created_at >= now - LOOKBACK,
                PlanTask.status.in_(OPEN_STATUSES), ~in_digest)


def create_digests(day: date, now: datetime, *, forced: bool = False) -> int:
    """Create today's digests for everyone whose digest time has come, and freeze their items."""
    from tracker.services.reminders.sweep import rule_groups
    clock = now.astimezone(local_zone()).strftime("%H:%M")
    due = [cond for group, cond in rule_groups(User.org_id) if forced or clock >= group.digest_time]
    if not due:
        return 0
    made = 0
    n = Notification
    for channel in channels.active_channels():
        query = select(n.recipient_id, User.org_id, lit_str(channel), lit_str("digest"), lit_date(day), lit_int(0),
                       lit_str("pending"), lit_int(0), lit_str(""), lit_moment(now)) \
            .join(User, User.id == n.recipient_id).join(PlanTask, PlanTask.id == n.task_id) \
            .where(_undigested(n, channel, now), channels.reaches(channel), User.is_active_account.is_(True),
                   or_(*due)).distinct()
        made += insert_ignoring(Delivery.__table__, DELIVERY_COLUMNS, query)
    # Items are linked only to digests this sweep created, in the same transaction: a digest's content is
    # fixed before any worker can see it.
    d = Delivery
    link = select(d.id, n.id).join(n, n.recipient_id == d.recipient_id).join(PlanTask, PlanTask.id == n.task_id) \
        .where(d.kind == "digest", d.key_date == day, d.created_at == lit_moment(now), _undigested(n, d.channel, now))
    if made:
        insert_ignoring(delivery_item, ["delivery_id", "notification_id"], link)
    return made


def ordered_items(items: list[Notification]) -> list[Notification]:
    """Most urgent first: escalations and overdue, then by due date."""
    return sorted(items, key=lambda i: (URGENCY.get(i.kind, 9), i.due_date or date.max, i.task_id or 0))
