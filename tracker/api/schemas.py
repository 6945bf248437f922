"""Shapes of the API's requests and answers; the OpenAPI document is generated from them."""
from datetime import date, datetime
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from tracker.services.validation import MAX_ID

Status = Literal["draft", "assigned", "in_progress", "completion_requested", "done", "cancelled", "carried_over"]
Light = Literal["red", "yellow", "green", "none", "grey"]  # none: 待交办 (no owner or no due date yet)


class In(BaseModel):
    """Request bodies: exact JSON types, unknown fields refused."""

    model_config = ConfigDict(strict=True, extra="forbid")


class TokenIn(In):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=128)


class TokenOut(BaseModel):
    token: str
    expires_at: datetime


class MetricIn(In):
    name: str = Field(min_length=1, max_length=100)
    value: float | int = Field(ge=0, lt=1e12)
    unit: str = Field(default="", max_length=20)


class TaskCreate(In):
    plan_id: int = Field(ge=1, le=MAX_ID)
    theme: str = Field(min_length=1, max_length=10)
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)
    report_section: int = Field(ge=1, le=10)  # the template's count is checked by the service
    owner: str | None = Field(default=None, max_length=64)
    co_owners: list[str] = Field(default_factory=list, max_length=50)
    lead: str | None = Field(default=None, max_length=64)
    unit: str = Field(default="", max_length=100)
    start_date: date | None = None
    due_date: date | None = None
    parent_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class TaskPatch(In):
    version: int = Field(ge=1)
    theme: str = Field(default=None, min_length=1, max_length=10)
    title: str = Field(default=None, min_length=1, max_length=200)
    description: str = Field(default=None, max_length=5000)
    report_section: int = Field(default=None, ge=1, le=10)
    owner: str | None = Field(default=None, max_length=64)
    co_owners: list[str] = Field(default=None, max_length=50)
    lead: str | None = Field(default=None, max_length=64)
    unit: str = Field(default=None, max_length=100)
    start_date: date | None = None
    due_date: date | None = None
    parent_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class ProgressIn(In):
    percent: int = Field(ge=0, le=100)
    note: str = Field(min_length=1, max_length=5000)
    metrics: list[MetricIn] = Field(default_factory=list, max_length=20)
    # 更正: the id of an earlier update of this task whose figures (and percent) this one replaces.
    corrects: int | None = Field(default=None, ge=1, le=2**31 - 1)


class CompletionIn(In):
    note: str = Field(min_length=1, max_length=5000)


class ExtensionIn(In):
    due_date: date
    reason: str = Field(min_length=1, max_length=5000)


class ReviewIn(In):
    approve: bool
    comment: str = Field(default="", max_length=5000)


class CancelIn(In):
    reason: str = Field(min_length=1, max_length=5000)


class ThemeOut(BaseModel):
    key: str
    title: str


class PlanOut(BaseModel):
    id: int
    year: int
    org: str
    title: str
    themes: list[ThemeOut]


class MetricOut(BaseModel):
    name: str
    value: float
    unit: str


class EvidenceOut(BaseModel):
    id: int
    filename: str
    content_type: str
    size: int
    url: str


class UpdateOut(BaseModel):
    id: int
    task_id: int
    author: str
    on_behalf_of: str | None
    percent: int
    note: str
    metrics: list[MetricOut]
    evidence: list[EvidenceOut]
    corrects: int | None = None
    created_at: datetime


class RequestOut(BaseModel):
    id: int
    task_id: int
    kind: Literal["completion", "extension"]
    status: Literal["pending", "approved", "returned", "closed"]
    requested_by: str
    note: str
    due_date: date | None
    decided_by: str | None
    comment: str
    created_at: datetime
    decided_at: datetime | None


class TaskOut(BaseModel):
    id: int
    plan_id: int
    parent_id: int | None
    title: str
    description: str
    theme: str
    report_section: int
    owner: str | None
    co_owners: list[str]
    lead: str | None
    unit: str
    start_date: date | None
    due_date: date | None
    status: Status
    progress: int
    version: int
    overdue: bool
    light: Light
    created_at: datetime
    updated_at: datetime
    acknowledged_at: datetime | None = None  # 签收 (issue 17): null until the owner or a co-owner confirms


class TaskDetailOut(TaskOut):
    subtasks: list[int]
    pending_requests: list[RequestOut]
    updates: list[UpdateOut]


class CarryOverIn(In):
    dry_run: bool = False
    task_ids: list[int] = Field(default_factory=list, max_length=1000)
    due_dates: dict[str, date] = Field(default_factory=dict, max_length=1000)


class CarryCandidateOut(TaskOut):
    proposed_due_date: date | None  # the due date it would keep; empty means the committee should give one
    ticked: bool  # proposed for moving (tasks due after the year's end are not, by default)


class CarryOverPreviewOut(BaseModel):
    year: int
    tasks: list[CarryCandidateOut]


class CarryOverOut(BaseModel):
    id: int
    plan_id: int
    year: int
    tasks: list[TaskOut]
    undone_at: datetime | None = None


class HistoryOut(BaseModel):
    at: datetime
    actor: str | None
    action: str
    changes: dict


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    per_page: int


class TaskPage(Page[TaskOut]):
    # Give it as `after` for the next page: read off an index however deep (offset pages slow down).
    next_after: str | None = None


class ErrorBody(BaseModel):
    code: str
    message: str
    fields: dict[str, str] = Field(default_factory=dict)


class ErrorOut(BaseModel):
    error: ErrorBody


class UrgeReceiptOut(BaseModel):
    """One 催办 with its read receipt: when the task's owner read the notice (null: not yet)."""

    id: int
    at: datetime
    by: str | None
    message: str
    read_at: datetime | None


class UrgeReceipts(BaseModel):
    items: list[UrgeReceiptOut]
