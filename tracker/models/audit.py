"""The append-only audit trail (留痕)."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.types import UTCDateTime, utcnow


class AuditEntry(db.Model):
    """Who did what, when, with the values before and after; rows are only ever inserted."""

    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_task_id_at", "task_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("plan_task.id"))
    object_type: Mapped[str] = mapped_column(String(30))
    object_id: Mapped[int | None]
    action: Mapped[str] = mapped_column(String(50))
    # {"field": [before, after]} for changes; {"reason": …} for refused attempts.
    changes: Mapped[dict] = mapped_column(JSON, default=dict)

    actor: Mapped["User | None"] = relationship()  # noqa: F821

    def __repr__(self) -> str:
        return f"<AuditEntry {self.id} {self.action}>"
