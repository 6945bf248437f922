"""上级交办: work a county's committee issues to a township's committee, which accepts it into its plan or declines."""
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.types import UTCDateTime, one_of, utcnow


class DirectiveStatus(StrEnum):
    pending = "pending"  # 待接收
    accepted = "accepted"  # 已接收: a task of the township's plan carries it on
    declined = "declined"  # 已退回, with a reason


DIRECTIVE_STATUSES = tuple(s.value for s in DirectiveStatus)
DIRECTIVE_LABELS = {"pending": "待接收", "accepted": "已接收", "declined": "已退回"}


class Directive(db.Model):
    """One issued piece of work: who issued it to whom, and, once accepted, the task that carries it."""

    __tablename__ = "directive"
    __table_args__ = (
        Index("ix_directive_target_status", "target_org_id", "status", "id"),
        Index("ix_directive_issuer_status", "issuer_org_id", "status", "id"),
        one_of("status", DIRECTIVE_STATUSES, "status_known"),  # migration 0640
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    target_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    year: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    due_date: Mapped[date] = mapped_column(Date)
    report_section: Mapped[int | None] = mapped_column(Integer)  # the sub-section the county files it under
    status: Mapped[str] = mapped_column(String(20), default="pending")
    task_id: Mapped[int | None] = mapped_column(ForeignKey("plan_task.id", ondelete="SET NULL"), unique=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decline_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    issuer_org: Mapped["Organisation"] = relationship(foreign_keys=[issuer_org_id])  # noqa: F821
    target_org: Mapped["Organisation"] = relationship(foreign_keys=[target_org_id])  # noqa: F821
    issued_by: Mapped["User"] = relationship(foreign_keys=[issued_by_id])  # noqa: F821
    decided_by: Mapped["User | None"] = relationship(foreign_keys=[decided_by_id])  # noqa: F821
    task: Mapped["PlanTask | None"] = relationship()  # noqa: F821

    @property
    def status_label(self) -> str:
        return DIRECTIVE_LABELS[self.status]

    def __repr__(self) -> str:
        return f"<Directive {self.id} {self.status}>"
