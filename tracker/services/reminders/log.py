"""The reminder log: what was sent, is pending or failed, per channel, for an organisation's people."""
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from tracker.extensions import db
from tracker.models import Delivery, Notification, User
from tracker.services.errors import ValidationFailed
from tracker.services.people.access import require_committee
from tracker.services.reminders import outbox


def summary(org_id: int) -> dict:
    """{channel: {status: count, "maybe_more": n}} for deliveries, plus the in-app notices as channel "app".

    In-app notices have no pending or failed state: the sweep or the event writes them, and they are in the
    recipient's notification centre from that commit on. So "app" counts what was delivered, and of that what
    was read and what is still unread, never a made-up 0 pending.
    """
    out: dict = {}
    for channel, status, count, uncertain in db.session.execute(
            select(Delivery.channel, Delivery.status, func.count(), func.coalesce(func.sum(
                Delivery.uncertain_attempts), 0)).where(Delivery.org_id == org_id)
            .group_by(Delivery.channel, Delivery.status)):
        row = out.setdefault(channel, {"maybe_more": 0})
        row[status] = count
        # Attempts whose outcome nobody knows: the peer may have received up to this many messages more than
        # "sent" says (a killed worker, a lost commit, a timeout awaiting the answer). Never a guess below it.
        row["maybe_more"] += int(uncertain)
    delivered, read = db.session.execute(
        select(func.count(), func.count(Notification.read_at)).select_from(Notification)
        .join(User, User.id == Notification.recipient_id).where(User.org_id == org_id)).one()
    out["app"] = {"delivered": delivered, "read": read, "unread": delivered - read}
    return out


def deliveries(org_id: int, status: str | None, channel: str | None, page: int, per_page: int):
    query = select(Delivery).where(Delivery.org_id == org_id)
    if status:
        query = query.where(Delivery.status == status)
    if channel:
        query = query.where(Delivery.channel == channel)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(query.options(joinedload(Delivery.recipient)).order_by(Delivery.id.desc())
                              .limit(per_page).offset((page - 1) * per_page)).all()
    return rows, total


def retry(actor: User, org_id: int, delivery_ids: list[int] | None) -> int:
    """The committee puts failed deliveries of its organisation back in the queue (all, or the ones given)."""
    require_committee(actor, org_id, "reminders.retry")
    query = select(Delivery.id).where(Delivery.org_id == org_id, Delivery.status == "failed")
    if delivery_ids is not None:
        query = query.where(Delivery.id.in_(delivery_ids))
    ids = list(db.session.scalars(query))
    if delivery_ids is not None and not ids:
        raise ValidationFailed("没有可重发的失败记录")
    return outbox.retry_failed(ids) if ids else 0
