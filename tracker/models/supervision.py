"""督办单: a numbered supervision notice on a task, issued from the task's organisation or one above it."""
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.types import UTCDateTime, one_of, utcnow

# Stored states; "overdue" is worked out from respond_by (services/supervision/rules.py), never stored.
SUPERVISION_STATES = ("open", "answered")
SUPERVISION_STATUSES = ("open", "answered", "overdue")
SUPERVISION_LABELS = {"open": "待答复", "answered": "已答复", "overdue": "逾期未答复"}


class Supervision(db.Model):
    """One 督办单; its number (旌督〔2026〕3号) is unique per issuing organisation, year and sequence."""

    __tablename__ = "supervision"
    __table_args__ = (
        UniqueConstraint("issuer_org_id", "year", "seq", name="uq_supervision_number"),
        Index("ix_supervision_state_respond", "state", "respond_by"),
        one_of("state", SUPERVISION_STATES, "state_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("plan_task.id", ondelete="CASCADE"), index=True)
    issuer_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text, default="")
    respond_within_days: Mapped[int] = mapped_column(Integer)
    respond_by: Mapped[date] = mapped_column(Date)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    state: Mapped[str] = mapped_column(String(10), default="open")
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    answer_note: Mapped[str] = mapped_column(Text, default="")

    task: Mapped["PlanTask"] = relationship()  # noqa: F821
    issuer_org: Mapped["Organisation"] = relationship()  # noqa: F821
    issued_by: Mapped["User"] = relationship(foreign_keys=[issued_by_id])  # noqa: F821
    answered_by: Mapped["User | None"] = relationship(foreign_keys=[answered_by_id])  # noqa: F821

    def __repr__(self) -> str:
        return f"<Supervision {self.id} {self.number}>"


class SupervisionCounter(db.Model):
    """The last sequence number an organisation gave out in a year; its row lock serialises concurrent issues."""

    __tablename__ = "supervision_counter"

    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)

    def __repr__(self) -> str:
        return f"<SupervisionCounter org={self.org_id} {self.year}: {self.last_seq}>"
