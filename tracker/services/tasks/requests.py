"""Completion (申请办结) and extension (申请延期) requests and their review."""
from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from tracker.extensions import db
from tracker.models import PlanTask, TaskRequest, TaskStatus, User
from tracker.models.types import utcnow
from tracker.services import audit, events
from tracker.services.errors import Conflict, PermissionDenied, ValidationFailed, refusing_lost_races
from tracker.services.people.access import is_worker, require_reviewer
from tracker.services.tasks import status
from tracker.services.validation import TEXT_MAX, clean_date, clean_text

KIND_LABELS = {"completion": "办结申请", "extension": "延期申请"}


def pending(task: PlanTask, kind: str | None = None) -> list[TaskRequest]:
    """Undecided requests of the task, oldest first."""
    query = select(TaskRequest).where(TaskRequest.task_id == task.id, TaskRequest.status == "pending")
    if kind:
        query = query.where(TaskRequest.kind == kind)
    return list(db.session.scalars(query.order_by(TaskRequest.created_at, TaskRequest.id)))


def _require_owner_side(actor: User, task: PlanTask, action: str) -> None:
    if not is_worker(actor, task):
        raise PermissionDenied("只有责任人或协办人可以提出申请", action=action, task=task)
    if task.is_closed or task.status == "draft":
        raise Conflict(f"任务{task.status_label},不能提出申请", action=action, task=task)


def request_completion(actor: User, task: PlanTask, note) -> TaskRequest:
    """Ask the lead or committee to accept the task as done."""
    _require_owner_side(actor, task, "task.complete_request")
    errors: dict = {}
    note = clean_text(errors, "note", "办结说明", note, max_len=TEXT_MAX, required=True)
    if errors:
        raise ValidationFailed(errors["note"], errors, action="task.complete_request", task=task)
    if pending(task, "completion"):
        raise Conflict("已有待审核的办结申请", action="task.complete_request", task=task)
    req = TaskRequest(task_id=task.id, kind="completion", requested_by_id=actor.id, note=note)
    db.session.add(req)
    moved = status.move(task, TaskStatus.completion_requested, action="task.complete_request")
    db.session.flush()
    audit.record(actor, "task.complete_request", task=task, obj=req, changes={"status": moved, "note": note})
    return req


def request_extension(actor: User, task: PlanTask, due_date, reason) -> TaskRequest:
    """Ask for a later due date, with a reason."""
    _require_owner_side(actor, task, "task.extension_request")
    errors: dict = {}
    new_due = clean_date(errors, "due_date", "申请的完成时限", due_date, required=True)
    reason = clean_text(errors, "reason", "延期理由", reason, max_len=TEXT_MAX, required=True)
    if new_due and task.due_date and new_due <= task.due_date:
        errors["due_date"] = "申请的完成时限须晚于现在的完成时限"
    if new_due and task.start_date and new_due < task.start_date:
        errors["due_date"] = "申请的完成时限不能早于开始日期"
    if errors:
        raise ValidationFailed("提交的内容有误,请检查标出的字段。", errors,
                               action="task.extension_request", task=task)
    if pending(task, "extension"):
        raise Conflict("已有待审核的延期申请", action="task.extension_request", task=task)
    req = TaskRequest(task_id=task.id, kind="extension", requested_by_id=actor.id, note=reason,
                      requested_due_date=new_due, previous_due_date=task.due_date)
    db.session.add(req)
    db.session.flush()
    audit.record(actor, "task.extension_request", task=task, obj=req,
                 changes={"due_date": (task.due_date, new_due), "reason": reason})
    return req


def _claim(req: TaskRequest, actor: User, decision: str, comment: str | None, task: PlanTask) -> None:
    """Decide the request only if it is still pending: a conditional UPDATE, so of two deciders at once (a lead
    approving while the committee refuses) one decides and the other is refused with a 409 before anything else
    is written — one decision, one audit entry, one set of notices. On PostgreSQL the second UPDATE waits for
    the first decider's commit and then finds the request decided."""
    now = utcnow()
    claimed = db.session.execute(
        update(TaskRequest).where(TaskRequest.id == req.id, TaskRequest.status == "pending")
        .values(status=decision, decided_by_id=actor.id, decided_at=now, decision_comment=comment),
        execution_options={"synchronize_session": False}).rowcount
    if not claimed:
        raise Conflict("该申请已由他人审核,请刷新后查看结果", action="task.review", task=task)
    for name, value in (("status", decision), ("decided_by_id", actor.id), ("decided_by", actor),
                        ("decided_at", now), ("decision_comment", comment)):
        set_committed_value(req, name, value)


def review(actor: User, task: PlanTask, approve, comment) -> TaskRequest:
    """Decide the oldest pending request: approve or return (completion) / refuse (extension)."""
    require_reviewer(actor, task, "task.review")
    errors: dict = {}
    if not isinstance(approve, bool):
        errors["approve"] = "须选择同意(true)或退回(false)"
    comment = clean_text(errors, "comment", "审核意见", comment, max_len=TEXT_MAX, required=approve is False)
    if errors:
        raise ValidationFailed("提交的内容有误,请检查标出的字段。", errors, action="task.review", task=task)
    if task.is_closed:
        raise Conflict(f"任务{task.status_label}", action="task.review", task=task)
    waiting = pending(task)
    if not waiting:
        raise Conflict("没有待审核的申请", action="task.review", task=task)
    req = waiting[0]
    _claim(req, actor, "approved" if approve else "returned", comment, task)
    changes: dict = {"request": KIND_LABELS[req.kind], "decision": req.status, "comment": comment}
    if req.kind == "completion":
        if approve:
            changes["status"] = status.move(task, TaskStatus.done, action="task.review")
            task.closed_at = utcnow()
            if task.progress != 100:
                changes["progress"] = (task.progress, 100)
                task.progress = 100
            for other in waiting[1:]:
                other.status = "closed"
        else:
            changes["status"] = status.move(task, TaskStatus.in_progress, action="task.review")
    elif approve:
        changes["due_date"] = (task.due_date, req.requested_due_date)
        task.due_date = req.requested_due_date
    with refusing_lost_races("task.review", task):  # the task edited a moment ago (its version)
        db.session.flush()
    entry = audit.record(actor, "task.review", task=task, obj=req, changes=changes)
    events.request_decided.send(task, actor=actor, request=req, entry=entry)  # the decision notice subscribes
    return req


def close_pending(task: PlanTask) -> None:
    """Close the task's undecided requests (on cancellation)."""
    for req in pending(task):
        req.status = "closed"
