"""The annual report as sent up (报送): numbered versions, each with its own frozen text and Word file."""
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.types import UTCDateTime, one_of, utcnow

SUBMISSION_STATUSES = ("submitted", "returned", "accepted")
SUBMISSION_LABELS = {"submitted": "已报送", "returned": "已退回", "accepted": "已采纳"}


class ReportSubmission(db.Model):
    """One version of an organisation's report for a year, frozen when submitted; a later edit changes nothing."""

    __tablename__ = "report_submission"
    __table_args__ = (
        # Two submissions at once both want the next number: the second loses the race (a 409), never a twin.
        UniqueConstraint("org_id", "year", "version", name="uq_report_submission_version"),
        Index("ix_report_submission_year_org", "year", "org_id"),
        one_of("status", SUBMISSION_STATUSES, "status_known"),  # migration 0630
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    year: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="submitted")
    is_late: Mapped[bool] = mapped_column(Boolean, default=False)  # 逾期报送: sent after the 1 April deadline
    title: Mapped[str] = mapped_column(String(200))
    # The frozen content: sections [{key, part, title, text}], figures as the draft had them, the Markdown text
    # and the Word file as they were at submission (stored, never written again from the draft).
    sections: Mapped[list] = mapped_column(JSON, default=list)
    figures: Mapped[list] = mapped_column(JSON, default=list)
    text: Mapped[str] = mapped_column(Text, default="")
    docx: Mapped[bytes] = mapped_column(LargeBinary)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    comment: Mapped[str] = mapped_column(Text, default="")  # the county's 退回 (or 采纳) comment

    org: Mapped["Organisation"] = relationship()  # noqa: F821
    submitted_by: Mapped["User | None"] = relationship(foreign_keys=[submitted_by_id])  # noqa: F821
    decided_by: Mapped["User | None"] = relationship(foreign_keys=[decided_by_id])  # noqa: F821

    @property
    def status_label(self) -> str:
        return SUBMISSION_LABELS.get(self.status, self.status)

    def __repr__(self) -> str:
        return f"<ReportSubmission {self.org_id} {self.year} v{self.version} {self.status}>"
