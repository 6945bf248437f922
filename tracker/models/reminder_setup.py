"""What reminders follow: rules and channels per organisation and user, the calendar, recurring tasks."""
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Column, Date, ForeignKey, Integer, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.types import UTCDateTime, utcnow


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


class CalendarOverride(db.Model):
    """An installation-wide correction of one day: a holiday or a make-up working day (调休)."""

    __tablename__ = "calendar_override"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    is_workday: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(String(100), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<CalendarOverride {self.day} {'work' if self.is_workday else 'off'}>"


class CalendarYear(db.Model):
    """A year whose State Council schedule has been entered in full, so it is no longer provisional."""

    __tablename__ = "calendar_year"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<CalendarYear {self.year}>"


# Co-owners (协办人) of a recurring task, copied onto every instance the sweep makes.
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
    task: Mapped["PlanTask"] = relationship()  # noqa: F821

    def __repr__(self) -> str:
        return f"<RecurringInstance {self.recurring_id} {self.period_start}>"
