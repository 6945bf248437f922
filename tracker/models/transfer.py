"""Imports awaiting review, background exports and calendar feeds (issue 6)."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.types import UTCDateTime, utcnow


class ImportSession(db.Model):
    """An uploaded report or task table, parsed and kept until the committee has reviewed it."""

    __tablename__ = "import_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    kind: Mapped[str] = mapped_column(String(20))  # report | table
    filename: Mapped[str] = mapped_column(String(255))
    year: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending | imported | discarded
    # The parsed candidates (report) or rows (table), edited in place during the review.
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plan.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user: Mapped["User"] = relationship()  # noqa: F821

    def __repr__(self) -> str:
        return f"<ImportSession {self.id} {self.kind} {self.status}>"


class ExportJob(db.Model):
    """An evidence pack being built in the background, with its progress and result file."""

    __tablename__ = "export_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(String(10))  # plan | theme | task
    scope_ref: Mapped[str] = mapped_column(String(20), default="")  # theme key or task id
    label: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(20), default="queued")  # queued | running | done | failed
    total: Mapped[int] = mapped_column(Integer, default=0)
    done_count: Mapped[int] = mapped_column(Integer, default=0)
    stored_name: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Handed to the broker / last progress by a worker: older than EXPORT_STALE_SECONDS, the job was lost and is
    # handed out again (tasks.exports.hand_out), as reminder deliveries are.
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    progress_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    plan: Mapped["Plan"] = relationship()  # noqa: F821

    @property
    def percent(self) -> int:
        if self.status == "done":
            return 100
        return int(self.done_count * 100 / self.total) if self.total else 0

    def __repr__(self) -> str:
        return f"<ExportJob {self.id} {self.scope} {self.status}>"


class CalendarFeed(db.Model):
    """A secret calendar (.ics) address: a user's own due dates, or all of the organisation's."""

    __tablename__ = "calendar_feed"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # personal | org
    # The address itself is the secret; it reveals no more than the database already holds.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # no longer written: a GET never writes
    # Why the system (not the user) made this address: "password" when a password reset replaced the old one,
    # so the calendar page can tell the user to subscribe again (migration 0580).
    renewed_because: Mapped[str | None] = mapped_column(String(20))

    user: Mapped["User"] = relationship()  # noqa: F821

    def __repr__(self) -> str:
        return f"<CalendarFeed {self.id} {self.kind}>"
