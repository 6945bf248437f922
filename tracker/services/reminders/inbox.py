"""A person's in-app notices: the list, the unread count, marking read."""
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from tracker.extensions import db
from tracker.models import Notification, PlanTask, ReminderSweep, User
from tracker.models.types import utcnow
from tracker.services.errors import NotFound

HEARTBEAT_GRACE = timedelta(hours=1)


def page_for(user: User, page: int, per_page: int, *, unread_only: bool = False):
    """One page of the user's notices, newest first, with the total."""
    query = select(Notification).where(Notification.recipient_id == user.id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(query.options(
        joinedload(Notification.task).joinedload(PlanTask.owner), joinedload(Notification.actor),
    ).order_by(Notification.id.desc()).limit(per_page).offset((page - 1) * per_page)).all()
    return rows, total


def mark_read(user: User, notification_id) -> Notification:
    """Mark one of the user's own notices read; another person's is "not found"."""
    row = None
    if isinstance(notification_id, int) and 0 < notification_id < 2**63:
        row = db.session.get(Notification, notification_id)
    if row is None or row.recipient_id != user.id:
        raise NotFound("通知不存在")
    if row.read_at is None:
        row.read_at = utcnow()
        db.session.flush()
    return row


def mark_all_read(user: User) -> int:
    result = db.session.execute(update(Notification).where(
        Notification.recipient_id == user.id, Notification.read_at.is_(None)).values(read_at=utcnow()),
        execution_options={"synchronize_session": False})
    return result.rowcount or 0


def badge(user: User) -> tuple[int, datetime | None]:
    """The unread count and the last sweep's finish, in one statement (it runs on every page)."""
    unread = select(func.count()).select_from(Notification).where(
        Notification.recipient_id == user.id, Notification.read_at.is_(None)).scalar_subquery()
    last = select(func.max(ReminderSweep.finished_at)).scalar_subquery()
    row = db.session.execute(select(unread, last)).one()
    finished = row[1]
    if isinstance(finished, str):  # SQLite returns max() of a timestamp as text
        finished = datetime.fromisoformat(finished)
    if finished is not None and finished.tzinfo is None:
        finished = finished.replace(tzinfo=timezone.utc)
    return row[0], finished


def reminders_stalled(last_finished: datetime | None) -> bool:
    """No sweep finished within the hour: reminders are not running."""
    return last_finished is None or utcnow() - last_finished > HEARTBEAT_GRACE
