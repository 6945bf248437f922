"""Report 报送 and 退回: a township freezes its draft as a numbered version; the county returns or accepts it."""
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from tracker.extensions import db
from tracker.models import Organisation, Plan, ReportSubmission, User
from tracker.models.submission import SUBMISSION_LABELS
from tracker.models.types import utcnow
from tracker.services import audit, events
from tracker.services.errors import (
    RACES,
    Conflict,
    NotFound,
    PermissionDenied,
    ServiceError,
    ValidationFailed,
    lost_race,
)
from tracker.services.people.access import can_read_org, is_committee_of
from tracker.services.reporting import draft as drafts
from tracker.services.reporting import page
from tracker.services.reporting.figures import number
from tracker.services.reporting.render import to_docx, to_markdown
from tracker.services.validation import YEAR_MESSAGE, clean_text, is_id, is_year

COMMENT_MAX = 1000
OPEN = ("submitted", "accepted")  # while one of these stands, the year's report is not sent again
DECISIONS = {"return": ("returned", "退回"), "accept": ("accepted", "采纳")}
LIST_ROLES = ("committee", "viewer")
READERS = ("committee", "leader", "viewer")  # as the report pages (tracker/reports/blueprint.READERS)


def _refusal(error: ServiceError, action: str, org_id: int | None) -> ServiceError:
    """A refusal named for the audit trail, on the organisation it concerns (there is no task)."""
    error.action, error.org_id = action, org_id
    return error


def latest(org_id: int, year: int) -> ReportSubmission | None:
    return db.session.scalar(select(ReportSubmission).where(
        ReportSubmission.org_id == org_id, ReportSubmission.year == year)
        .order_by(ReportSubmission.version.desc()).limit(1))


def history(org: Organisation, year: int) -> list[ReportSubmission]:
    """Every version of the organisation's report for the year, newest first."""
    return list(db.session.scalars(select(ReportSubmission).where(
        ReportSubmission.org_id == org.id, ReportSubmission.year == year)
        .order_by(ReportSubmission.version.desc())))


def may_submit(user: User, org: Organisation) -> bool:
    """The committee of a township (an organisation with one above it to send the report to)."""
    return is_committee_of(user, org.id) and org.parent_id is not None


def may_decide(user: User, org: Organisation) -> bool:
    """The committee of an organisation above the report's: a township never returns or accepts its own."""
    return user.role == "committee" and org.id != user.org_id and org.path.startswith(user.org.path)


def _frozen_figures(figures: list[dict]) -> list[dict]:
    return [{k: f.get(k) for k in ("name", "unit", "total", "kind", "baseline", "change")} for f in figures]


def submit(actor: User, org: Organisation, year, today: date) -> ReportSubmission:
    """Freeze the current draft (generated first if there is none) as the next numbered version."""
    action = "report.submit"
    if not may_submit(actor, org):
        raise _refusal(PermissionDenied("只有乡镇党委/政府办公室可以报送本单位的年度报告"), action, org.id)
    if not is_year(year):
        raise ValidationFailed(YEAR_MESSAGE, {"year": YEAR_MESSAGE})
    last = latest(org.id, year)
    if last is not None and last.status in OPEN:
        raise _refusal(Conflict(f"{year}年度报告第{last.version}版{last.status_label},不能重复报送"), action, org.id)
    draft = drafts.load_draft(org, year) or drafts.generate(actor, org, year, today)
    row = ReportSubmission(
        org_id=org.id, year=year, version=(last.version + 1) if last else 1, status="submitted",
        is_late=page.is_late(year, today), title=draft.title,
        sections=[{"key": s.key, "part": s.part, "title": s.title, "text": s.text,
                   "part_title": (draft.parts or [""])[0] if s.part == 1 else ""} for s in draft.sections],
        figures=_frozen_figures(draft.figures), text=to_markdown(draft), docx=to_docx(draft),
        submitted_by_id=actor.id, submitted_at=utcnow(), comment="")
    db.session.add(row)
    try:
        db.session.flush()
    except RACES as exc:  # a colleague's submission took this number a moment ago
        conflict = lost_race(exc)
        if conflict is None:
            raise
        raise _refusal(conflict, action, org.id) from exc
    audit.record(actor, action, obj=row, org_id=org.id,
                 changes={"year": year, "version": row.version, "is_late": row.is_late})
    return row


def load(user: User, submission_id) -> ReportSubmission:
    """A version the user may read (its organisation is the user's or below, as the report pages' readers)."""
    row = db.session.get(ReportSubmission, submission_id) if is_id(submission_id) else None
    if row is None or not can_read_org(user, row.org):
        raise NotFound("报告不存在")
    if user.role not in READERS:
        raise _refusal(PermissionDenied("责任人不查阅年度报告"), "report.read", row.org_id)
    return row


def decide(actor: User, row: ReportSubmission, verb: str, comment) -> ReportSubmission:
    """退回 (a comment required) or 采纳 a submitted version; only a submitted one, decided once (race-free)."""
    status, word = DECISIONS[verb]
    action = f"report.{verb}"
    require_decider(actor, row, verb)
    errors: dict = {}
    comment = clean_text(errors, "comment", "意见", comment, max_len=COMMENT_MAX, required=verb == "return") or ""
    if errors:
        raise ValidationFailed(errors["comment"], errors)
    now = utcnow()
    # The state is decided by the database: of two decisions at once, one finds the row no longer submitted.
    done = db.session.execute(
        update(ReportSubmission).where(ReportSubmission.id == row.id, ReportSubmission.status == "submitted")
        .values(status=status, decided_by_id=actor.id, decided_at=now, comment=comment),
        execution_options={"synchronize_session": False}).rowcount
    if not done:
        db.session.refresh(row)
        raise _refusal(Conflict(f"该报告{row.status_label},不能{word}"), action, row.org_id)
    db.session.refresh(row)
    entry = audit.record(actor, action, obj=row, org_id=row.org_id,
                         changes={"status": ("submitted", status), "year": row.year, "version": row.version,
                                  "comment": comment})
    if status == "returned":
        events.report_returned.send(row, actor=actor, entry=entry)
    return row


def require_decider(actor: User, row: ReportSubmission, verb: str) -> None:
    if not may_decide(actor, row.org):
        word = DECISIONS[verb][1]
        raise _refusal(PermissionDenied(f"只有上级单位党委/政府办公室可以{word}报告"), f"report.{verb}", row.org_id)


def require_lister(user: User, action: str = "report.list") -> None:
    if user.role not in LIST_ROLES:
        raise _refusal(PermissionDenied("只有党委/政府办公室和督查人员可以查看报送情况"), action, user.org_id)


def submissions_below(user: User, year: int) -> list[ReportSubmission]:
    """The latest version of each organisation below the user's for the year, in one statement."""
    newest = select(ReportSubmission.org_id, func.max(ReportSubmission.version).label("version")) \
        .join(Organisation, Organisation.id == ReportSubmission.org_id) \
        .where(ReportSubmission.year == year, Organisation.path.startswith(user.org.path),
               Organisation.id != user.org_id).group_by(ReportSubmission.org_id).subquery()
    return list(db.session.scalars(
        select(ReportSubmission).join(newest, (newest.c.org_id == ReportSubmission.org_id)
                                      & (newest.c.version == ReportSubmission.version))
        .where(ReportSubmission.year == year).options(joinedload(ReportSubmission.org))
        .order_by(ReportSubmission.org_id)))


@dataclass
class Overview:
    """The county's page for a year: each township below it with a plan or a submission, and its latest version."""

    year: int
    rows: list[tuple[Organisation, ReportSubmission | None]]

    @property
    def counts(self) -> dict[str, int]:
        out = {"missing": sum(1 for _, s in self.rows if s is None)}
        for status in SUBMISSION_LABELS:
            out[status] = sum(1 for _, s in self.rows if s is not None and s.status == status)
        return out


def overview(user: User, year: int) -> Overview:
    latest_rows = {s.org_id: s for s in submissions_below(user, year)}
    orgs = db.session.scalars(select(Organisation).where(
        Organisation.path.startswith(user.org.path), Organisation.id != user.org_id,
        Organisation.id.in_(select(Plan.org_id).where(Plan.year == year)) | Organisation.id.in_(list(latest_rows)))
        .order_by(Organisation.path)).all()
    return Overview(year, [(o, latest_rows.get(o.id)) for o in orgs])


@dataclass
class FigureTable:
    """The townships' figures side by side, by figure and unit, from their latest versions not returned."""

    orgs: list[Organisation]
    rows: list[tuple[str, str, dict[int, str], str]] = field(default_factory=list)  # name, unit, by org, total


def figure_table(view: Overview) -> FigureTable:
    """Only versions that stand (submitted or accepted): a returned report's figures are not the township's word."""
    standing = [(o, s) for o, s in view.rows if s is not None and s.status in OPEN]
    cells: dict[tuple[str, str], dict[int, Decimal]] = {}
    for org, sub in standing:
        for f in sub.figures:
            try:
                value = Decimal(str(f.get("total")))
            except (InvalidOperation, ValueError):
                continue
            cells.setdefault((f.get("name") or "", f.get("unit") or ""), {})[org.id] = value
    table = FigureTable([o for o, _ in standing])
    for (name, unit), values in sorted(cells.items()):
        table.rows.append((name, unit, {k: number(v) for k, v in values.items()}, number(sum(values.values()))))
    return table


def readable_year(year) -> int:
    if not is_year(year):
        raise ValidationFailed(YEAR_MESSAGE, {"year": YEAR_MESSAGE})
    return year
