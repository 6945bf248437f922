"""Plan tasks (任务), their co-owners and requests."""
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column, Date, ForeignKey, Index, Integer, String, Table, Text, event, func, literal_column, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.types import UTCDateTime, one_of, utcnow


class TaskStatus(StrEnum):
    """Where a task stands; tracker.services.tasks.status holds the moves allowed between them."""

    draft = "draft"
    assigned = "assigned"
    in_progress = "in_progress"
    completion_requested = "completion_requested"
    done = "done"
    cancelled = "cancelled"
    carried_over = "carried_over"  # unfinished at year end, continued by next year's task (carried_from_id there)


class RequestKind(StrEnum):
    completion = "completion"  # 申请办结
    extension = "extension"  # 申请延期


class RequestStatus(StrEnum):
    pending = "pending"
    approved = "approved"
    returned = "returned"
    closed = "closed"  # left undecided when its task closed


STATUSES = tuple(s.value for s in TaskStatus)
CLOSED_STATUSES = (TaskStatus.done.value, TaskStatus.cancelled.value, TaskStatus.carried_over.value)
_CLOSED_QUOTED = tuple(f"'{s}'" for s in CLOSED_STATUSES)
OPEN_PREDICATE = "status NOT IN (" + ", ".join(_CLOSED_QUOTED) + ")"  # for partial indexes
UNACKNOWLEDGED_PREDICATE = "acknowledged_at IS NULL AND owner_id IS NOT NULL AND " + OPEN_PREDICATE
STATUS_LABELS = {
    "draft": "草稿", "assigned": "已交办", "in_progress": "推进中",
    "completion_requested": "申请办结", "done": "已办结", "cancelled": "已取消", "carried_over": "已结转",
}

task_co_owner = Table(
    "task_co_owner", db.metadata,
    Column("task_id", ForeignKey("plan_task.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user_account.id"), primary_key=True, index=True),
)


class PlanTask(db.Model):
    """A tracked measure of a plan; named PlanTask to keep it apart from Celery jobs."""

    __tablename__ = "plan_task"
    __table_args__ = (
        Index("ix_plan_task_org_due", "org_id", "due_date"),
        Index("ix_plan_task_status_due", "status", "due_date"),
        # Open tasks in due-date order (issue 7, migration 0430): overdue lists stop after one page.
        Index("ix_plan_task_open_due", "due_date", "id", "org_id", postgresql_where=text(OPEN_PREDICATE),
              sqlite_where=text(OPEN_PREDICATE)),
        Index("ix_plan_task_due_id", "due_date", "id"),  # the API list's order (migration 0430)
        # The tasks waiting for 签收 (migration 0670): the dashboard's 未签收 reads them, not every task.
        Index("ix_plan_task_unacknowledged", "plan_id", "org_id", postgresql_where=text(UNACKNOWLEDGED_PREDICATE),
              sqlite_where=text(UNACKNOWLEDGED_PREDICATE)),
        one_of("status", STATUSES, "status_known"),  # migration 0520
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    theme_id: Mapped[int] = mapped_column(ForeignKey("plan_theme.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("plan_task.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    report_section: Mapped[int] = mapped_column(Integer)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    unit: Mapped[str] = mapped_column(String(100), default="")
    start_date: Mapped[date | None] = mapped_column(Date)
    due_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(30), default="draft")
    progress: Mapped[int] = mapped_column(Integer, default=0)
    carried_from_id: Mapped[int | None] = mapped_column(ForeignKey("plan_task.id"))
    demo_ref: Mapped[str | None] = mapped_column(String(40))
    last_progress_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # 签收: the owner or a co-owner confirmed receipt, or first posted progress (issue 17; migration 0600).
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}

    plan: Mapped["Plan"] = relationship()  # noqa: F821
    org: Mapped["Organisation"] = relationship()  # noqa: F821
    theme: Mapped["PlanTheme"] = relationship()  # noqa: F821
    owner: Mapped["User | None"] = relationship(foreign_keys=[owner_id])  # noqa: F821
    lead: Mapped["User | None"] = relationship(foreign_keys=[lead_id])  # noqa: F821
    co_owners: Mapped[list["User"]] = relationship(secondary=task_co_owner, order_by="User.username")  # noqa: F821
    parent: Mapped["PlanTask | None"] = relationship(remote_side=[id], foreign_keys=[parent_id],
                                                     back_populates="subtasks")
    subtasks: Mapped[list["PlanTask"]] = relationship(foreign_keys=[parent_id], back_populates="parent",
                                                      order_by="PlanTask.id")

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @staticmethod
    def label_of(status: str) -> str:
        return STATUS_LABELS[status]

    def __repr__(self) -> str:
        return f"<PlanTask {self.id} {self.status}>"


# The closed statuses written into the SQL, not bound: a prepared statement's generic plan cannot tell that
# `status NOT IN ($1, $2, $3)` implies the partial indexes' predicate, and PostgreSQL then filters every task
# instead of reading the index (measured on the API's overdue list at 100,000 tasks: 23 ms instead of 0.2 ms).
_CLOSED_SQL = tuple(literal_column(q) for q in _CLOSED_QUOTED)


def task_is_open():
    """A WHERE condition: the task is not closed (done, cancelled or carried over)."""
    return PlanTask.status.not_in(_CLOSED_SQL)


def task_is_closed():
    """A WHERE condition: the task is done, cancelled or carried over."""
    return PlanTask.status.in_(_CLOSED_SQL)


# Open tasks by last activity (issue 7, migration 0430): the sweep finds the stalled ones without reading them all.
Index("ix_plan_task_open_activity",
      func.coalesce(PlanTask.last_progress_at, PlanTask.assigned_at, PlanTask.created_at),
      postgresql_where=text(OPEN_PREDICATE), sqlite_where=text(OPEN_PREDICATE))


@event.listens_for(PlanTask.owner, "set", active_history=True)
def _new_owner_acknowledges_again(task, value, old, _initiator):
    """签收 is the owner's: a task handed to someone else (an edit, 批量交办, a handover) waits for theirs."""
    if old is not None and getattr(old, "id", None) is not None and getattr(value, "id", None) != old.id:
        task.acknowledged_at = None


class TaskRequest(db.Model):
    """A completion (申请办结) or extension (申请延期) request and its decision."""

    __tablename__ = "task_request"
    __table_args__ = (Index("ix_task_request_pending", "task_id", "status", "id"),
                      one_of("kind", tuple(RequestKind), "kind_known"),
                      one_of("status", tuple(RequestStatus), "status_known"))

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("plan_task.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # completion | extension
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    requested_due_date: Mapped[date | None] = mapped_column(Date)
    previous_due_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending|approved|returned|closed
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decision_comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    task: Mapped[PlanTask] = relationship()
    requested_by: Mapped["User"] = relationship(foreign_keys=[requested_by_id])  # noqa: F821
    decided_by: Mapped["User | None"] = relationship(foreign_keys=[decided_by_id])  # noqa: F821

    def __repr__(self) -> str:
        return f"<TaskRequest {self.id} {self.kind} {self.status}>"
