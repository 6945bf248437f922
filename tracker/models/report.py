"""The annual report: figure catalogue, baselines, task targets, templates and drafts with versions."""
from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.types import UTCDateTime, one_of, utcnow

FIGURE_KINDS = ("flow", "stock")  # 累计 / 现有


class MetricDefinition(db.Model):
    """A figure an organisation counts (普法宣讲, 次): what it counts and which report section it feeds."""

    __tablename__ = "metric_definition"
    __table_args__ = (UniqueConstraint("org_id", "name", "unit"), one_of("kind", FIGURE_KINDS, "kind_known"))

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    unit: Mapped[str] = mapped_column(String(20), default="")
    description: Mapped[str] = mapped_column(String(500), default="")
    report_section: Mapped[int | None] = mapped_column(Integer)
    # flow (累计: the year's sum of what updates add) or stock (现有: a standing total, latest value per task).
    kind: Mapped[str] = mapped_column(String(10), default="flow")
    position: Mapped[int] = mapped_column(Integer, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<MetricDefinition {self.name}/{self.unit}>"


class BaselineFigure(db.Model):
    """Last year's figure of an organisation, the base of the year-on-year change."""

    __tablename__ = "baseline_figure"
    __table_args__ = (UniqueConstraint("org_id", "year", "name", "unit"), one_of("kind", FIGURE_KINDS, "kind_known"))

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100))
    unit: Mapped[str] = mapped_column(String(20), default="")
    value: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    # "820余人": the report gave a lower bound, so a change against it is approximate.
    is_approximate: Mapped[bool] = mapped_column(Boolean, default=False)
    kind: Mapped[str] = mapped_column(String(10), default="flow")  # as MetricDefinition.kind
    # What last year's figure counted (统计口径); when it differs from this year's, no change is stated.
    scope: Mapped[str] = mapped_column(String(500), default="")
    report_section: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(500), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<BaselineFigure {self.year} {self.name} {self.value}{self.unit}>"


class TaskTarget(db.Model):
    """A task's target for a figure (普法宣讲 ≥ 8 次)."""

    __tablename__ = "task_target"
    __table_args__ = (UniqueConstraint("task_id", "name", "unit"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("plan_task.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    unit: Mapped[str] = mapped_column(String(20), default="")
    value: Mapped[Decimal] = mapped_column(Numeric(14, 2))

    def __repr__(self) -> str:
        return f"<TaskTarget task={self.task_id} {self.name} {self.value}{self.unit}>"


class ReportTemplate(db.Model):
    """The report's shape for one organisation and year: addressee, part titles, sub-section titles."""

    __tablename__ = "report_template"
    __table_args__ = (UniqueConstraint("org_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    addressee: Mapped[str] = mapped_column(String(100))
    parts: Mapped[list] = mapped_column(JSON)      # three part titles, in order
    sections: Mapped[list] = mapped_column(JSON)   # part 一's sub-section titles, in order
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<ReportTemplate {self.org_id} {self.year}>"


class ReportDraft(db.Model):
    """The generated report of an organisation for a year; regenerated in place, edits kept."""

    __tablename__ = "report_draft"
    __table_args__ = (UniqueConstraint("org_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    addressee: Mapped[str] = mapped_column(String(100))
    parts: Mapped[list] = mapped_column(JSON, default=list)  # the three part titles at generation
    # Figures with their sums, baselines, changes and sources, as generated (留痕 for every number).
    figures: Mapped[list] = mapped_column(JSON, default=list)
    notes: Mapped[list] = mapped_column(JSON, default=list)  # what is missing or needs checking
    # 附件：重点任务完成情况表 — targets, statuses, cancellations and carry-overs, kept out of the prose.
    annex: Mapped[list | None] = mapped_column(JSON, default=list)
    # The committee's words, written in at every generation: task id (as text) → 报告摘要 of a task without an
    # approved 办结情况, and shortcoming kind (overdue, returned, stalled) → its 原因 in part 二.
    summaries: Mapped[dict | None] = mapped_column(JSON, default=dict)
    causes: Mapped[dict | None] = mapped_column(JSON, default=dict)
    fingerprint: Mapped[str] = mapped_column(String(64), default="")
    generation: Mapped[int] = mapped_column(Integer, default=0)
    generated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    org: Mapped["Organisation"] = relationship()  # noqa: F821
    sections: Mapped[list["ReportSection"]] = relationship(
        back_populates="draft", order_by="ReportSection.position", cascade="all, delete-orphan")

    def section(self, key: str) -> "ReportSection | None":
        return next((s for s in self.sections if s.key == key), None)

    def __repr__(self) -> str:
        return f"<ReportDraft {self.org_id} {self.year}>"


class ReportSection(db.Model):
    """One section of a draft: the generated text and, once the committee edits it, the edited text."""

    __tablename__ = "report_section"
    __table_args__ = (UniqueConstraint("draft_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("report_draft.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(20))  # opening, 1.1 … 1.7, 2, 3
    position: Mapped[int] = mapped_column(Integer)
    part: Mapped[int] = mapped_column(Integer)  # 0 opening, 1, 2, 3
    title: Mapped[str] = mapped_column(String(300), default="")
    generated_text: Mapped[str] = mapped_column(Text, default="")
    edited_text: Mapped[str | None] = mapped_column(Text)
    # Set when a regeneration produced text that differs from what the edit was based on.
    has_newer_generated: Mapped[bool] = mapped_column(Boolean, default=False)
    sources: Mapped[dict] = mapped_column(JSON, default=dict)  # {"tasks": [...], "updates": [...]}
    edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    draft: Mapped[ReportDraft] = relationship(back_populates="sections")
    versions: Mapped[list["ReportSectionVersion"]] = relationship(
        back_populates="section", order_by="ReportSectionVersion.number", cascade="all, delete-orphan")

    @property
    def text(self) -> str:
        """What the report says now: the committee's edit if there is one, else the generated text."""
        return self.edited_text if self.edited_text is not None else self.generated_text

    @property
    def is_edited(self) -> bool:
        return self.edited_text is not None

    def __repr__(self) -> str:
        return f"<ReportSection {self.key}>"


class ReportSectionVersion(db.Model):
    """Every text a section has had (generated, edited, reverted), kept in order."""

    __tablename__ = "report_section_version"
    __table_args__ = (UniqueConstraint("section_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("report_section.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))  # generated | edited | reverted
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    section: Mapped[ReportSection] = relationship(back_populates="versions")
    author: Mapped["User | None"] = relationship()  # noqa: F821

    def __repr__(self) -> str:
        return f"<ReportSectionVersion {self.section_id}#{self.number} {self.kind}>"
