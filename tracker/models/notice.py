"""Reminders: in-app notifications, their deliveries over other channels, and the sweep's heartbeat."""
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, Date, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.types import UTCDateTime, one_of, utcnow

class NoticeKind(StrEnum):
    """What a notice is about: the sweep's kinds (at most once per recipient, task, kind and key date), then
    those sent at once, then the digest that gathers a day's notices for one person."""

    due_soon = "due_soon"
    due_today = "due_today"
    overdue = "overdue"
    escalation = "escalation"
    stalled = "stalled"
    review_waiting = "review_waiting"
    assigned = "assigned"
    decision = "decision"
    urge = "urge"
    due_recomputed = "due_recomputed"
    digest = "digest"


SCHEDULED_KINDS = ("due_soon", "due_today", "overdue", "escalation", "stalled", "review_waiting")
IMMEDIATE_KINDS = ("assigned", "decision", "urge", "due_recomputed")
NOTICE_KINDS = tuple(k.value for k in NoticeKind)
KIND_LABELS = {
    "due_soon": "即将到期", "due_today": "今日到期", "overdue": "已逾期", "escalation": "逾期督办",
    "stalled": "长期无进展", "review_waiting": "待审核", "assigned": "新交办", "decision": "审核结果",
    "urge": "催办", "due_recomputed": "时限调整", "digest": "每日汇总",
}
CHANNELS = ("email", "wecom", "dingtalk")
CHANNEL_LABELS = {"app": "站内", "email": "电子邮件", "wecom": "企业微信群机器人", "dingtalk": "钉钉群机器人"}
DELIVERY_STATUSES = ("pending", "sent", "failed")


class Notification(db.Model):
    """One in-app notice to one person; its unique key makes every sweep and hook idempotent."""

    __tablename__ = "notification"
    __table_args__ = (
        # key_date: the sweep's day for daily kinds, the due date for due_soon, the event day for immediate kinds;
        # source_id: the audit entry of an immediate event (0 for scheduled kinds).
        UniqueConstraint("recipient_id", "task_id", "kind", "key_date", "source_id",
                         name="uq_notification_key"),
        Index("ix_notification_recipient_read", "recipient_id", "read_at", "id"),
        Index("ix_notification_task_kind", "task_id", "kind", "key_date"),
        one_of("kind", NOTICE_KINDS, "kind_known"),  # migration 0520
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    task_id: Mapped[int] = mapped_column(ForeignKey("plan_task.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    key_date: Mapped[date] = mapped_column(Date)
    source_id: Mapped[int] = mapped_column(Integer, default=0)
    for_date: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date | None] = mapped_column(Date)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    recipient: Mapped["User"] = relationship(foreign_keys=[recipient_id])  # noqa: F821
    actor: Mapped["User | None"] = relationship(foreign_keys=[actor_id])  # noqa: F821
    task: Mapped["PlanTask"] = relationship()  # noqa: F821

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    def __repr__(self) -> str:
        return f"<Notification {self.id} {self.kind} to={self.recipient_id}>"


delivery_item = Table(
    "delivery_item", db.metadata,
    Column("delivery_id", ForeignKey("delivery.id", ondelete="CASCADE"), primary_key=True),
    Column("notification_id", ForeignKey("notification.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Delivery(db.Model):
    """A message over email or a group robot: one immediate notice, or one person's digest of a day."""

    __tablename__ = "delivery"
    __table_args__ = (
        # notification_ref: the notice of an immediate delivery, 0 for a digest (a NULL would never collide).
        UniqueConstraint("recipient_id", "channel", "kind", "key_date", "notification_ref", name="uq_delivery_key"),
        Index("ix_delivery_status_next", "status", "next_attempt_at"),
        Index("ix_delivery_channel_status", "channel", "status"),
        one_of("kind", NOTICE_KINDS, "kind_known"), one_of("status", DELIVERY_STATUSES, "status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))  # "digest" or an immediate kind
    key_date: Mapped[date] = mapped_column(Date)
    notification_ref: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Handed to the broker / taken by a worker; stale values are handed out again by the next sweep.
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recipient: Mapped["User"] = relationship()  # noqa: F821
    items: Mapped[list[Notification]] = relationship(secondary=delivery_item, order_by=Notification.id)

    def __repr__(self) -> str:
        return f"<Delivery {self.id} {self.channel} {self.kind} {self.status}>"


class ReminderSweep(db.Model):
    """One run of the sweep: the heartbeat the committee's pages look at."""

    __tablename__ = "reminder_sweep"

    id: Mapped[int] = mapped_column(primary_key=True)
    for_date: Mapped[date] = mapped_column(Date)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    counts: Mapped[dict] = mapped_column(JSON, default=dict)

    def __repr__(self) -> str:
        return f"<ReminderSweep {self.id} {self.for_date}>"
