"""A year's plan of one organisation and its themes."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.types import UTCDateTime, utcnow


class Plan(db.Model):
    """Part 三 of a year's report, as tracked work."""

    __tablename__ = "plan"
    __table_args__ = (UniqueConstraint("org_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    org: Mapped["Organisation"] = relationship()  # noqa: F821
    themes: Mapped[list["PlanTheme"]] = relationship(
        back_populates="plan", order_by="PlanTheme.position", cascade="all, delete-orphan")

    def theme_by_key(self, key: str) -> "PlanTheme | None":
        return next((t for t in self.themes if t.key == key), None)

    def __repr__(self) -> str:
        return f"<Plan {self.id} {self.year}>"


class PlanTheme(db.Model):
    """One theme of a plan: key 法/新/实 for 以"X"字 themes, else the ordinal 1, 2, …"""

    __tablename__ = "plan_theme"
    __table_args__ = (UniqueConstraint("plan_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)

    plan: Mapped[Plan] = relationship(back_populates="themes")

    def __repr__(self) -> str:
        return f"<PlanTheme {self.key}>"


class CarryOver(db.Model):
    """One reviewed carry-over of a year's open tasks into next year's plan, kept so it can be undone."""

    __tablename__ = "carry_over"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    from_plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"))
    to_plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The plan-level audit entry written last by the carry-over: any entry on a new task after it is a change.
    entry_id: Mapped[int | None] = mapped_column(Integer)
    # One item per moved task: {"source", "task", "version", "requests": [ids], "closed": [[id, status before]]}.
    moved: Mapped[list] = mapped_column(JSON, default=list)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    from_plan: Mapped[Plan] = relationship(foreign_keys=[from_plan_id])
    to_plan: Mapped[Plan] = relationship(foreign_keys=[to_plan_id])

    def __repr__(self) -> str:
        return f"<CarryOver {self.id} {self.from_plan_id}->{self.to_plan_id}>"
