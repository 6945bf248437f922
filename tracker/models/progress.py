"""Progress updates (反馈) with their figures and evidence files."""
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.types import UTCDateTime, utcnow


class ProgressUpdate(db.Model):
    """One report of progress: percent, narrative, figures done since the last update, evidence."""

    __tablename__ = "progress_update"
    __table_args__ = (Index("ix_progress_update_task_at", "task_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("plan_task.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    # Set when the committee posts for an owner who phoned the office (代报).
    on_behalf_of_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    percent: Mapped[int] = mapped_column(Integer)
    previous_percent: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str] = mapped_column(Text, default="")
    # 更正: this update replaces the figures (and percent) of an earlier one, which stays in the record.
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("progress_update.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    task: Mapped["PlanTask"] = relationship()  # noqa: F821
    author: Mapped["User"] = relationship(foreign_keys=[author_id])  # noqa: F821
    on_behalf_of: Mapped["User | None"] = relationship(foreign_keys=[on_behalf_of_id])  # noqa: F821
    metrics: Mapped[list["UpdateMetric"]] = relationship(
        back_populates="update", cascade="all, delete-orphan", order_by="UpdateMetric.id")
    evidence: Mapped[list["Evidence"]] = relationship(
        back_populates="update", cascade="all, delete-orphan", order_by="Evidence.id")

    def __repr__(self) -> str:
        return f"<ProgressUpdate {self.id} task={self.task_id} {self.percent}%>"


class UpdateMetric(db.Model):
    """A figure an update reports (普法宣讲 3 次): the increment since the last update."""

    __tablename__ = "update_metric"

    id: Mapped[int] = mapped_column(primary_key=True)
    update_id: Mapped[int] = mapped_column(ForeignKey("progress_update.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    value: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    unit: Mapped[str] = mapped_column(String(20), default="")

    update: Mapped[ProgressUpdate] = relationship(back_populates="metrics")

    def __repr__(self) -> str:
        return f"<UpdateMetric {self.name} {self.value}{self.unit}>"


class Evidence(db.Model):
    """An evidence file (证明材料), kept on disk under UPLOAD_DIR, served only to readers of its task."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    update_id: Mapped[int] = mapped_column(ForeignKey("progress_update.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(100), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    is_image: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    update: Mapped[ProgressUpdate] = relationship(back_populates="evidence")

    def __repr__(self) -> str:
        return f"<Evidence {self.id} {self.filename}>"
