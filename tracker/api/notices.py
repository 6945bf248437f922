"""Notifications over the API: the list, marking read, and urging a task (催办)."""
from datetime import date, datetime
from typing import Literal

from flask import g, jsonify, request
from pydantic import BaseModel, Field

from tracker.api import schemas
from tracker.api.blueprint import bp
from tracker.api.parsing import page_body, pagination, parse_json
from tracker.api.spec import operation
from tracker.models import Notification
from tracker.services.errors import ValidationFailed
from tracker.services.people.access import load_task
from tracker.services.reminders import compose, immediate, inbox

Kind = Literal["due_soon", "due_today", "overdue", "escalation", "stalled", "review_waiting", "unacknowledged",
               "assigned", "decision",
               "urge", "due_recomputed", "carried_over", "supervision", "supervision_overdue",
               "report_returned", "directive_issued",
               "directive_accepted", "directive_declined"]


class NotificationOut(BaseModel):
    id: int
    kind: Kind
    task_id: int | None  # None for a notice about no task: a returned report, or issued work (directive_id)
    directive_id: int | None = None
    for_date: date
    created_at: datetime
    is_read: bool
    message: str


class UrgeIn(schemas.In):
    message: str | None = Field(default=None, max_length=immediate.URGE_MAX)


class UrgeOut(BaseModel):
    task_id: int
    notified: int


def _out(n: Notification) -> dict:
    return NotificationOut(id=n.id, kind=n.kind, task_id=n.task_id, directive_id=n.directive_id,
                           for_date=n.for_date, created_at=n.created_at, is_read=n.is_read,
                           message=compose.message(n)).model_dump(mode="json")


@operation(bp, "/notifications", "GET", summary="我的通知(最新在前)", response=schemas.Page[NotificationOut],
           query=[("unread", "boolean", "true 只看未读"), ("page", "integer", "页码,从1开始"),
                  ("per_page", "integer", "每页条数,最多100")])
def list_notifications():
    unread = (request.args.get("unread") or "").lower()
    if unread not in ("", "true", "false", "1", "0"):
        raise ValidationFailed("参数 unread 须为 true 或 false", {"unread": "须为 true 或 false"})
    page, per_page = pagination()
    rows, total = inbox.page_for(g.api_user, page, per_page, unread_only=unread in ("true", "1"))
    return jsonify(page_body([_out(n) for n in rows], total, page, per_page))


@operation(bp, "/notifications/<int:notification_id>/read", "POST", summary="标记通知为已读",
           response=NotificationOut)
def read_notification(notification_id):
    row = inbox.mark_read(g.api_user, notification_id)
    return jsonify(_out(row))


@operation(bp, "/tasks/<int:task_id>/urge", "POST", summary="催办(党政办或牵头领导),可附留言", body=UrgeIn,
           response=UrgeOut, status=201)
def urge_task(task_id):
    task = load_task(g.api_user, task_id)
    body = parse_json(UrgeIn) if request.get_data(cache=True) else UrgeIn()
    notices = immediate.urge(g.api_user, task, body.message)
    return jsonify(UrgeOut(task_id=task.id, notified=len(notices)).model_dump()), 201
