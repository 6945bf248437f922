"""A person's in-app notices: the list, the unread count, marking read."""
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from tracker.extensions import db
from tracker.models import Notification, PlanTask, ReminderSweep, User
from tracker.models.types import utcnow
from tracker.services.errors import NotFound
from tracker.services.infra.caching import request_facts
from tracker.services.validation import is_id

HEARTBEAT_GRACE = timedelta(hours=1)
BADGE = "notice_badge"  # in the request's facts


def page_for(user: User, page: int, per_page: int, *, unread_only: bool = False):
    """One page of the user's notices, newest first, with the total."""
    query = select(Notification).where(Notification.recipient_id == user.id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(query.options(
        joinedload(Notification.task).joinedload(PlanTask.owner), joinedload(Notification.actor),
        joinedload(Notification.directive),
    ).order_by(Notification.id.desc()).limit(per_page).offset((page - 1) * per_page)).all()
    return rows, total


def mark_read(user: User, notification_id) -> Notification:
    """Mark one of the user's own notices read; another person's is "not found"."""
    row = None
    if is_id(notification_id):
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


def badge_columns(user_id: int) -> tuple:
    """The unread count and the last sweep's finish, as two columns to select with the signed-in user."""
    unread = select(func.count()).select_from(Notification).where(
        Notification.recipient_id == user_id, Notification.read_at.is_(None)).scalar_subquery()
    return unread, select(func.max(ReminderSweep.finished_at)).scalar_subquery()


def keep_badge(user: User, unread: int, finished) -> None:
    """Remember the badge read with the user for the rest of the request (it is read again after a write)."""
    if isinstance(finished, str):  # SQLite returns max() of a timestamp as text
        finished = datetime.fromisoformat(finished)
    if finished is not None and finished.tzinfo is None:
        finished = finished.replace(tzinfo=timezone.utc)
    request_facts()[BADGE] = (user.id, unread, finished)


def badge(user: User) -> tuple[int, datetime | None]:
    """The unread count and the last sweep's finish (it shows on every page): as read with the signed-in user,
    or in one statement."""
    kept = request_facts().get(BADGE)
    if kept is None or kept[0] != user.id:
        keep_badge(user, *db.session.execute(select(*badge_columns(user.id))).one())
        kept = request_facts()[BADGE]
    return kept[1], kept[2]


def reminders_stalled(last_finished: datetime | None) -> bool:
    """No sweep finished within the hour: reminders are not running."""
    return last_finished is None or utcnow() - last_finished > HEARTBEAT_GRACE
