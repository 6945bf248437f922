"""上级交办 over the API: a county's committee issues work to a township; the township accepts or declines it."""
from datetime import date, datetime
from typing import Literal

from flask import g, jsonify, request
from pydantic import BaseModel, Field

from tracker.api import schemas
from tracker.api.blueprint import bp
from tracker.api.parsing import page_body, pagination, parse_json
from tracker.api.spec import operation
from tracker.services.calendar.clock import today
from tracker.services.directives import queries, verbs
from tracker.services.validation import MAX_ID, TEXT_MAX, TITLE_MAX, YEAR_MAX, YEAR_MIN


class AssignmentIn(schemas.In):
    title: str = Field(min_length=1, max_length=TITLE_MAX)
    description: str = Field(default="", max_length=TEXT_MAX)
    due_date: date
    year: int = Field(ge=YEAR_MIN, le=YEAR_MAX)
    report_section: int | None = Field(default=None, ge=1, le=10)  # the template's count is checked by the service


class AcceptIn(schemas.In):
    theme_id: int = Field(ge=1, le=MAX_ID)
    report_section: int | None = Field(default=None, ge=1, le=10)


class DeclineIn(schemas.In):
    reason: str = Field(min_length=1, max_length=TEXT_MAX)


class AssignmentOut(BaseModel):
    id: int
    title: str
    description: str
    year: int
    due_date: date
    report_section: int | None
    status: Literal["pending", "accepted", "declined"]
    issuer_org_id: int
    issuer_org: str
    target_org_id: int
    target_org: str
    issued_by: str
    issued_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decline_reason: str
    task_id: int | None
    progress: int | None  # the accepted task's percent
    light: schemas.Light | None  # the accepted task's light


def _out(row: queries.DirectiveRow) -> dict:
    d = row.directive
    return AssignmentOut(
        id=d.id, title=d.title, description=d.description, year=d.year, due_date=d.due_date,
        report_section=d.report_section, status=d.status, issuer_org_id=d.issuer_org_id, issuer_org=d.issuer_org.name,
        target_org_id=d.target_org_id, target_org=d.target_org.name, issued_by=d.issued_by.username,
        issued_at=d.created_at, decided_by=d.decided_by.username if d.decided_by else None, decided_at=d.decided_at,
        decline_reason=d.decline_reason, task_id=d.task_id, progress=d.task.progress if d.task else None,
        light=row.light).model_dump(mode="json")


def _row(directive) -> queries.DirectiveRow:
    from tracker.services.tasks.lights import light
    return queries.DirectiveRow(directive, light(directive.task, today()) if directive.task else None)


@operation(bp, "/orgs/<int:org_id>/assignments", "POST", status=201, body=AssignmentIn, response=AssignmentOut,
           summary="上级交办:上级单位党政办向下级单位交办任务")
def issue_assignment(org_id):
    org = verbs.load_org(org_id)
    verbs.require_issuer(g.api_user, org)  # rights before input
    body = parse_json(AssignmentIn)
    directive = verbs.issue(g.api_user, org, body.model_dump())
    return jsonify(_out(_row(directive))), 201


@operation(bp, "/assignments", "GET", summary="上级交办:本单位下达的和收到的(最新在前)",
           response=schemas.Page[AssignmentOut],
           query=[("status", "string", "pending 待接收 / accepted 已接收 / declined 已退回"),
                  ("page", "integer", "页码,从1开始"), ("per_page", "integer", "每页条数,最多100")])
def list_assignments():
    status = queries.clean_status(request.args.get("status"))
    page, per_page = pagination()
    rows, total = queries.directive_page(g.api_user, status, today(), page, per_page)
    return jsonify(page_body([_out(r) for r in rows], total, page, per_page))


@operation(bp, "/assignments/<int:assignment_id>/accept", "POST", body=AcceptIn, response=AssignmentOut,
           summary="接收上级交办,纳入本单位年度计划(接收单位党政办;之后按常规交办责任人)")
def accept_assignment(assignment_id):
    directive = verbs.load(g.api_user, assignment_id)
    verbs.require_receiver(g.api_user, directive, "directive.accept")  # rights, then state, before input
    body = parse_json(AcceptIn)
    verbs.accept(g.api_user, directive, body.theme_id, body.report_section)
    return jsonify(_out(_row(directive)))


@operation(bp, "/assignments/<int:assignment_id>/decline", "POST", body=DeclineIn, response=AssignmentOut,
           summary="退回上级交办,须说明理由(接收单位党政办)")
def decline_assignment(assignment_id):
    directive = verbs.load(g.api_user, assignment_id)
    verbs.require_receiver(g.api_user, directive, "directive.decline")
    body = parse_json(DeclineIn)
    verbs.decline(g.api_user, directive, body.reason)
    return jsonify(_out(_row(directive)))
