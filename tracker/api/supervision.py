"""督办单 over the API: issue on a task, read one or a page, answer, and the 督办通知单 as Word."""
from datetime import date, datetime
from typing import Literal
from urllib.parse import quote

from flask import Response, g, jsonify, request
from pydantic import BaseModel, Field

from tracker.api import schemas
from tracker.api.blueprint import bp
from tracker.api.parsing import page_body, pagination, parse_json
from tracker.api.spec import operation
from tracker.models import Supervision
from tracker.services.calendar.clock import today
from tracker.services.people.access import load_task
from tracker.services.supervision import notice, queries, rules, verbs

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class SupervisionIn(schemas.In):
    message: str = Field(min_length=1, max_length=verbs.MESSAGE_MAX)
    respond_within_days: int = Field(ge=rules.DAYS_MIN, le=rules.DAYS_MAX)


class AnswerIn(schemas.In):
    note: str = Field(min_length=1, max_length=verbs.NOTE_MAX)


class SupervisionOut(BaseModel):
    id: int
    number: str
    task_id: int
    task_title: str
    issuer_org: str
    issued_by: str
    issued_at: datetime
    message: str
    respond_within_days: int
    respond_by: date
    status: Literal["open", "answered", "overdue"]
    answered_by: str | None
    answered_at: datetime | None
    answer_note: str


def _out(item: Supervision) -> dict:
    return SupervisionOut(
        id=item.id, number=item.number, task_id=item.task_id, task_title=item.task.title,
        issuer_org=item.issuer_org.name, issued_by=item.issued_by.username, issued_at=item.issued_at,
        message=item.message, respond_within_days=item.respond_within_days, respond_by=item.respond_by,
        status=rules.status_of(item, today()), answered_by=item.answered_by.username if item.answered_by else None,
        answered_at=item.answered_at, answer_note=item.answer_note,
    ).model_dump(mode="json")


@operation(bp, "/tasks/<int:task_id>/supervision", "POST", summary="下发督办单(本单位或上级单位党政办)",
           body=SupervisionIn, response=SupervisionOut, status=201)
def issue_supervision(task_id):
    task = load_task(g.api_user, task_id)
    body = parse_json(SupervisionIn)
    item = verbs.issue(g.api_user, task, body.message, body.respond_within_days)
    return jsonify(_out(item)), 201


@operation(bp, "/supervisions", "GET", summary="督办单列表(最新在前)", response=schemas.Page[SupervisionOut],
           query=[("status", "string", "open 待答复、answered 已答复、overdue 逾期未答复"),
                  ("page", "integer", "页码,从1开始"), ("per_page", "integer", "每页条数,最多100")])
def list_supervisions():
    status = queries.clean_status(request.args.get("status"))
    page, per_page = pagination()
    rows, total = queries.page_for(g.api_user, status, today(), page, per_page)
    return jsonify(page_body([_out(s) for s in rows], total, page, per_page))


@operation(bp, "/supervisions/<int:supervision_id>", "GET", summary="督办单详情", response=SupervisionOut)
def get_supervision(supervision_id):
    return jsonify(_out(queries.load(g.api_user, supervision_id)))


@operation(bp, "/supervisions/<int:supervision_id>/answer", "POST", summary="答复督办单(责任人或协办人)",
           body=AnswerIn, response=SupervisionOut)
def answer_supervision(supervision_id):
    item = queries.load(g.api_user, supervision_id)
    body = parse_json(AnswerIn)
    verbs.answer(g.api_user, item, body.note)
    return jsonify(_out(item))


@operation(bp, "/supervisions/<int:supervision_id>/notice.docx", "GET", summary="下载督办通知单(Word)", binary=True)
def supervision_notice(supervision_id):
    item = queries.load(g.api_user, supervision_id)
    response = Response(notice.to_docx(item), mimetype=DOCX)
    response.headers["Content-Disposition"] = (f"attachment; filename=supervision.docx; "
                                               f"filename*=UTF-8''{quote(notice.file_name(item))}")
    return response
