"""Reminders: in-app notices, their deliveries over other channels, the sweep's heartbeat, and what reminders
follow: rules and channels per organisation and user, recurring tasks."""
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, Column, Date, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint
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
    unacknowledged = "unacknowledged"  # 待签收 (issue 17, migration 0600)
    assigned = "assigned"
    decision = "decision"
    urge = "urge"
    due_recomputed = "due_recomputed"
    carried_over = "carried_over"
    supervision = "supervision"  # a 督办单 was issued (to the owner and co-owners)
    supervision_overdue = "supervision_overdue"  # a 督办单 unanswered past respond_by (to the lead and the issuer)
    report_returned = "report_returned"  # a township's report sent back by the county (no task)
    digest = "digest"
    directive_issued = "directive_issued"  # 上级交办: to the township's committee (migration 0640)
    directive_accepted = "directive_accepted"  # to the issuing committee
    directive_declined = "directive_declined"


SCHEDULED_KINDS = ("due_soon", "due_today", "overdue", "escalation", "stalled", "review_waiting",
                   "unacknowledged", "supervision_overdue")
IMMEDIATE_KINDS = ("assigned", "decision", "urge", "due_recomputed", "carried_over", "supervision", "report_returned",
                   "directive_issued", "directive_accepted", "directive_declined")
NOTICE_KINDS = tuple(k.value for k in NoticeKind)
KIND_LABELS = {
    "due_soon": "即将到期", "due_today": "今日到期", "overdue": "已逾期", "escalation": "逾期督办",
    "stalled": "长期无进展", "review_waiting": "待审核", "unacknowledged": "待签收", "assigned": "新交办",
    "decision": "审核结果",
    "urge": "催办", "due_recomputed": "时限调整", "carried_over": "任务结转", "digest": "每日汇总",
    "supervision": "督办单", "supervision_overdue": "督办单逾期",
    "report_returned": "报告退回",
    "directive_issued": "上级交办", "directive_accepted": "交办已接收", "directive_declined": "交办被退回",
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
    # None for a notice about no task: a returned report (migration 0630), or issued work not (yet) in a plan,
    # when directive_id says which (migration 0640).
    task_id: Mapped[int | None] = mapped_column(ForeignKey("plan_task.id", ondelete="CASCADE"))
    directive_id: Mapped[int | None] = mapped_column(ForeignKey("directive.id", ondelete="CASCADE"))
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
    task: Mapped["PlanTask | None"] = relationship()  # noqa: F821
    directive: Mapped["Directive | None"] = relationship()  # noqa: F821

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
    # A batch marks the next few messages it is about to send; a claim that finds the mark was left by a batch
    # that never said how they went (a killed worker, a lost commit). Such attempts, and those that failed after
    # the peer may have taken the message (a timeout awaiting the answer), are counted: the message may have
    # arrived once more than "sent" says (issue 18.19; migration 0580).
    in_flight_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    uncertain_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

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


# ---- what reminders follow: rules, channels, recurring tasks ----


class ReminderRule(db.Model):
    """An organisation's reminder thresholds; organisations without a row use the defaults in config."""

    __tablename__ = "reminder_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), unique=True)
    due_soon_workdays: Mapped[int] = mapped_column(Integer)
    escalate_lead_after: Mapped[int] = mapped_column(Integer)
    escalate_committee_after: Mapped[int] = mapped_column(Integer)
    stalled_days: Mapped[int] = mapped_column(Integer)
    stalled_repeat_days: Mapped[int] = mapped_column(Integer)
    review_wait_workdays: Mapped[int] = mapped_column(Integer)
    digest_time: Mapped[str] = mapped_column(String(5))  # "HH:MM", local time
    # 待签收: working days after assignment before the owner, then the lead, is reminded (migration 0600).
    unacknowledged_owner_after: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    unacknowledged_lead_after: Mapped[int] = mapped_column(Integer, default=3, server_default="3")
    disabled_kinds: Mapped[list] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<ReminderRule org={self.org_id}>"


class OrgChannels(db.Model):
    """An organisation's group robots (WeCom, DingTalk) and whether it sends email at all."""

    __tablename__ = "org_channels"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), unique=True)
    is_email_on: Mapped[bool] = mapped_column(Boolean, default=True)
    wecom_webhook: Mapped[str] = mapped_column(String(500), default="")
    dingtalk_webhook: Mapped[str] = mapped_column(String(500), default="")
    dingtalk_secret: Mapped[str] = mapped_column(String(200), default="")

    def __repr__(self) -> str:
        return f"<OrgChannels org={self.org_id}>"


class UserChannels(db.Model):
    """A person's choice of channels; without a row every channel the organisation offers is on."""

    __tablename__ = "user_channels"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), unique=True)
    is_email_on: Mapped[bool] = mapped_column(Boolean, default=True)
    is_wecom_on: Mapped[bool] = mapped_column(Boolean, default=True)
    is_dingtalk_on: Mapped[bool] = mapped_column(Boolean, default=True)

    def __repr__(self) -> str:
        return f"<UserChannels user={self.user_id}>"


recurring_co_owner = Table(
    "recurring_co_owner", db.metadata,
    Column("recurring_id", ForeignKey("recurring_task.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user_account.id"), primary_key=True, index=True),
)


class RecurringTask(db.Model):
    """A task that comes back every month or quarter (e.g. the monthly 矛盾纠纷排查例会)."""

    __tablename__ = "recurring_task"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    theme_id: Mapped[int] = mapped_column(ForeignKey("plan_theme.id"))
    title: Mapped[str] = mapped_column(String(200))
    report_section: Mapped[int] = mapped_column(Integer)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    unit: Mapped[str] = mapped_column(String(100), default="")
    frequency: Mapped[str] = mapped_column(String(10))  # monthly | quarterly
    # Each instance is due on the N-th working day of its period ("N个工作日").
    due_workdays: Mapped[int] = mapped_column(Integer)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    plan: Mapped["Plan"] = relationship()  # noqa: F821
    owner: Mapped["User"] = relationship(foreign_keys=[owner_id])  # noqa: F821
    co_owners: Mapped[list["User"]] = relationship(secondary=recurring_co_owner, order_by="User.username")  # noqa: F821

    def __repr__(self) -> str:
        return f"<RecurringTask {self.id} {self.frequency}>"


class RecurringInstance(db.Model):
    """The task made for one period of a recurring task; `is_provisional` while its due date rests on a guessed year."""

    __tablename__ = "recurring_instance"
    __table_args__ = (UniqueConstraint("recurring_id", "period_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recurring_id: Mapped[int] = mapped_column(ForeignKey("recurring_task.id", ondelete="CASCADE"))
    period_start: Mapped[date] = mapped_column(Date)
    task_id: Mapped[int] = mapped_column(ForeignKey("plan_task.id", ondelete="CASCADE"), index=True)
    is_provisional: Mapped[bool] = mapped_column(Boolean, default=False, index=True)

    recurring: Mapped[RecurringTask] = relationship()
    task: Mapped["PlanTask | None"] = relationship()  # noqa: F821

    def __repr__(self) -> str:
        return f"<RecurringInstance {self.recurring_id} {self.period_start}>"
