"""Issue work to a township, and the township's accept (into its plan, as a task) or decline."""
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from tracker.extensions import db
from tracker.models import Directive, DirectiveStatus, Organisation, Plan, PlanTheme, User
from tracker.models.types import utcnow
from tracker.services import audit, events
from tracker.services.errors import Conflict, NotFound, PermissionDenied, ValidationFailed, check_fields
from tracker.services.people.access import can_read_org, is_committee_of, may_issue_to
from tracker.services.plans.sections import clean_section
from tracker.services.tasks import verbs as tasks
from tracker.services.validation import TEXT_MAX, TITLE_MAX, clean_date, clean_text, clean_year, is_id

DEFAULT_SECTION = 1  # (一) 深入学习贯彻习近平法治思想…加强法治政府建设: where a county's work sits unless it says


def _refusal(error, action: str, org_id: int):
    """Name the attempt and the organisation it was made in, so the refusal stays in the audit trail."""
    error.action, error.org_id = action, org_id
    return error


def load_org(org_id) -> Organisation:
    """An organisation by id; a missing one is NotFound (which organisations exist is no secret: their names are)."""
    org = db.session.get(Organisation, org_id) if is_id(org_id) else None
    if org is None:
        raise NotFound("单位不存在")
    return org


def require_issuer(actor: User, org: Organisation) -> None:
    """Only the committee of an organisation above `org`: a township issuing upward or to a sibling is refused."""
    if not may_issue_to(actor, org):
        raise _refusal(PermissionDenied("只有上级单位党委/政府办公室可以向该单位交办任务"), "directive.issue",
                       actor.org_id)


def issue(actor: User, org: Organisation, data: dict) -> Directive:
    """上级交办: the committee of an organisation above `org` issues it work; rights are checked before input."""
    require_issuer(actor, org)
    errors: dict = {}
    title = clean_text(errors, "title", "任务名称", data.get("title"), max_len=TITLE_MAX, required=True)
    description = clean_text(errors, "description", "任务描述", data.get("description"), max_len=TEXT_MAX)
    due = clean_date(errors, "due_date", "完成时限", data.get("due_date"), required=True)
    year = clean_year(errors, "year", data.get("year"))
    section = None
    if data.get("report_section") is not None and year is not None:
        section = clean_section(errors, "report_section", data["report_section"], org, year)
    check_fields(errors)
    directive = Directive(issuer_org_id=actor.org_id, target_org_id=org.id, issued_by_id=actor.id, year=year,
                          title=title, description=description or "", due_date=due, report_section=section,
                          status=DirectiveStatus.pending.value, decline_reason="")
    db.session.add(directive)
    db.session.flush()
    entry = audit.record(actor, "directive.issue", obj=directive, org_id=org.id, changes={
        "to": org.name, "title": title, "due_date": due, "year": year})
    events.directive_issued.send(directive, actor=actor, entry=entry)  # the township's notice subscribes
    return directive


def load(user: User, directive_id) -> Directive:
    """Issued work the user may read (in the target organisation or above it); otherwise NotFound."""
    row = None
    if is_id(directive_id):
        row = db.session.scalar(select(Directive).where(Directive.id == directive_id).options(
            joinedload(Directive.target_org), joinedload(Directive.issuer_org), joinedload(Directive.issued_by)))
    if row is None or not can_read_org(user, row.target_org):
        raise NotFound("交办任务不存在")
    return row


def require_receiver(actor: User, directive: Directive, action: str) -> None:
    """Rights before state: only the receiving committee decides, whatever the work's status."""
    if not is_committee_of(actor, directive.target_org_id):
        raise _refusal(PermissionDenied("只有接收单位的党委/政府办公室可以接收或退回上级交办任务"), action,
                       directive.target_org_id)
    if directive.status != DirectiveStatus.pending:
        raise _refusal(Conflict(f"该交办任务{directive.status_label},不能再处理"), action, directive.target_org_id)


def _claim(directive: Directive, actor: User, status: str, reason: str, action: str) -> None:
    """Decide only while still pending (a conditional UPDATE): of two at once, one decides, the other gets a 409."""
    now = utcnow()
    claimed = db.session.execute(
        update(Directive).where(Directive.id == directive.id, Directive.status == DirectiveStatus.pending.value)
        .values(status=status, decided_by_id=actor.id, decided_at=now, decline_reason=reason),
        execution_options={"synchronize_session": False}).rowcount
    if not claimed:
        raise _refusal(Conflict("该交办任务已由他人处理,请刷新后查看"), action, directive.target_org_id)
    for name, value in (("status", status), ("decided_by_id", actor.id), ("decided_by", actor),
                        ("decided_at", now), ("decline_reason", reason)):
        set_committed_value(directive, name, value)


def _theme(directive: Directive, theme_id) -> PlanTheme:
    """A theme of the township's own plan for the work's year; a missing plan is a state to fix first (409)."""
    plan = db.session.scalar(select(Plan).where(Plan.org_id == directive.target_org_id, Plan.year == directive.year))
    if plan is None:
        raise _refusal(Conflict(f"本单位还没有{directive.year}年度计划,请先新建计划再接收"), "directive.accept",
                       directive.target_org_id)
    theme = db.session.get(PlanTheme, theme_id) if is_id(theme_id) else None
    if theme is None or theme.plan_id != plan.id:
        keys = "、".join(t.key for t in plan.themes)
        raise ValidationFailed("请选择本单位年度计划中的主题",
                               {"theme_id": f"须为{plan.year}年度计划的主题之一:{keys}"})
    return theme


def accept(actor: User, directive: Directive, theme_id, report_section=None):
    """The township's committee takes the work into its plan as a task to assign (draft); returns the task."""
    require_receiver(actor, directive, "directive.accept")
    theme = _theme(directive, theme_id)
    section = directive.report_section or DEFAULT_SECTION
    if report_section is not None:  # the township may file it under another sub-section of its own report
        errors: dict = {}
        section = clean_section(errors, "report_section", report_section, directive.target_org, directive.year)
        check_fields(errors)
    _claim(directive, actor, DirectiveStatus.accepted.value, "", "directive.accept")
    task = tasks.create_task(actor, theme.plan, {
        "theme": theme.key, "title": directive.title, "description": directive.description,
        "report_section": section, "due_date": directive.due_date})
    directive.task = task
    db.session.flush()
    entry = audit.record(actor, "directive.accept", task=task, obj=directive, changes={
        "from": directive.issuer_org.name, "title": directive.title, "theme": theme.key})
    events.directive_decided.send(directive, actor=actor, entry=entry)  # the issuer's notice subscribes
    return task


def decline(actor: User, directive: Directive, reason) -> Directive:
    """The township's committee sends the work back with a reason."""
    require_receiver(actor, directive, "directive.decline")
    errors: dict = {}
    reason = clean_text(errors, "reason", "退回理由", reason, max_len=TEXT_MAX, required=True)
    check_fields(errors, errors.get("reason", ""))
    _claim(directive, actor, DirectiveStatus.declined.value, reason, "directive.decline")
    entry = audit.record(actor, "directive.decline", obj=directive, org_id=directive.target_org_id, changes={
        "from": directive.issuer_org.name, "title": directive.title, "reason": reason})
    events.directive_decided.send(directive, actor=actor, entry=entry)
    return directive
