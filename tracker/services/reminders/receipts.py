"""Read receipts for 催办 (issue 17): each urge is its audit entry and the notices it sent; the receipt is the
owner's notice's read_at, set wherever the owner reads it (the notification centre, the API, or opening the
task from the notice: tracker.services.reminders.inbox.mark_read). No row of its own."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, select
from sqlalchemy.orm import joinedload

from tracker.extensions import db
from tracker.models import AuditEntry, Notification, PlanTask


@dataclass(frozen=True)
class UrgeReceipt:
    """One 催办: when, by whom (username and name), the message, and when the owner read it."""

    id: int
    at: datetime
    by: str | None
    by_name: str
    message: str
    read_at: datetime | None


def urges(task: PlanTask) -> list[UrgeReceipt]:
    """The task's 催办, newest first, with the owner's read time (one statement)."""
    notice = and_(Notification.source_id == AuditEntry.id, Notification.task_id == task.id,
                  Notification.kind == "urge", Notification.recipient_id == task.owner_id)
    rows = db.session.execute(
        select(AuditEntry, Notification.read_at).outerjoin(Notification, notice)
        .where(AuditEntry.task_id == task.id, AuditEntry.action == "task.urge")
        .options(joinedload(AuditEntry.actor)).order_by(AuditEntry.id.desc())).all()
    return [UrgeReceipt(id=e.id, at=e.at, by=e.actor.username if e.actor else None,
                        by_name=e.actor.name if e.actor else "系统",
                        message=str((e.changes or {}).get("message") or ""), read_at=read_at)
            for e, read_at in rows]
