"""Immediate notices: assigned (交办), decision (审核结果), urge (催办), 上级交办, written in the event's own
transaction."""
from datetime import date

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import AuditEntry, Delivery, Directive, Notification, PlanTask, TaskRequest, User
from tracker.models.types import utcnow
from tracker.services import audit, events
from tracker.services.calendar.clock import today
from tracker.services.errors import Conflict, ValidationFailed
from tracker.services.people.access import require_reviewer
from tracker.services.reminders import channels, outbox
from tracker.services.validation import clean_text

URGE_MAX = 500
DECISION_WORDS = {("completion", "approved"): "同意办结", ("completion", "returned"): "退回办结申请",
                  ("extension", "approved"): "同意延期", ("extension", "returned"): "不同意延期"}


def notify(kind: str, task: PlanTask | None, recipients, *, actor: User | None, entry: AuditEntry, note: str = "",
           day: date | None = None, directive: Directive | None = None) -> list[Notification]:
    """One notice per recipient (active, not the actor) and one delivery per channel that reaches them; `task` is
    None for a notice about no task (a returned report, or issued work not yet in a plan, named by `directive`)."""
    people = {u.id: u for u in recipients if u is not None and u.is_active_account
              and (actor is None or u.id != actor.id)}
    if not people:
        return []
    day = day or today()
    now = utcnow()
    due = task.due_date if task is not None else directive.due_date if directive is not None else None
    notices = [Notification(recipient_id=uid, task_id=task.id if task is not None else None,
                            directive_id=directive.id if directive is not None else None, kind=kind, key_date=day,
                            source_id=entry.id, for_date=day, due_date=due, actor_id=actor.id if actor else None,
                            note=note, created_at=now) for uid in people]
    db.session.add_all(notices)
    db.session.flush()
    reach = channels.channels_for(list(people))
    deliveries = [Delivery(recipient_id=n.recipient_id, org_id=people[n.recipient_id].org_id, channel=channel,
                           kind=kind, key_date=day, notification_ref=n.id, status="pending", attempts=0,
                           last_error="", created_at=now, queued_at=now, items=[n])
                  for n in notices for channel in reach[n.recipient_id]]
    if deliveries:
        db.session.add_all(deliveries)
        db.session.flush()
        outbox.remember_for_commit([d.id for d in deliveries])
    return notices


@events.task_changed.connect
def task_changed(task: PlanTask, *, actor: User | None, changes: dict, entry: AuditEntry) -> None:
    """After create or update: tell a new owner, and co-owners newly added, that the task is theirs."""
    if task.owner is None or task.status == "draft" or task.is_closed:
        return
    newly_assigned = "status" in changes and changes["status"][1] == "assigned"
    recipients = []
    if newly_assigned or "owner" in changes:
        recipients.append(task.owner)
    if newly_assigned:
        recipients += task.co_owners
    elif "co_owners" in changes:
        before = set(changes["co_owners"][0] or [])
        recipients += [u for u in task.co_owners if u.username not in before]
    if recipients:
        notify("assigned", task, recipients, actor=actor, entry=entry)


@events.request_decided.connect
def request_decided(task: PlanTask, *, actor: User, request: TaskRequest, entry: AuditEntry) -> None:
    """After a review: the requester, owner and co-owners learn the decision."""
    req = request
    words = DECISION_WORDS.get((req.kind, req.status), req.status)
    if req.kind == "extension" and req.status == "approved" and req.requested_due_date:
        words += f",完成时限改为{req.requested_due_date.isoformat()}"
    note = words + (f"。审核意见:{req.decision_comment}" if req.decision_comment else "")
    notify("decision", task, [req.requested_by, task.owner, *task.co_owners], actor=actor, entry=entry, note=note)


@events.tasks_carried.connect
def task_carried(task: PlanTask, *, actor: User, entry: AuditEntry, note: str) -> None:
    """After a carry-over: the owner, co-owners and lead learn where the work continues."""
    notify("carried_over", task, [task.owner, *task.co_owners, task.lead], actor=actor, entry=entry, note=note)


def _committee(org_id: int) -> list[User]:
    return list(db.session.scalars(select(User).where(User.org_id == org_id, User.role == "committee",
                                                      User.is_active_account.is_(True))))


@events.report_returned.connect
def report_returned(submission, *, actor: User, entry: AuditEntry) -> None:
    """After a 退回: the township's committee learns which version came back and why."""
    note = f"{submission.year}年度报告(第{submission.version}版),退回意见:{submission.comment}"
    notify("report_returned", None, _committee(submission.org_id), actor=actor, entry=entry, note=note)


@events.directive_issued.connect
def directive_issued(directive: Directive, *, actor: User, entry: AuditEntry) -> None:
    """上级交办: the township's committee learns that work waits for it to accept or decline."""
    notify("directive_issued", None, _committee(directive.target_org_id), actor=actor, entry=entry,
           directive=directive)


@events.directive_decided.connect
def directive_decided(directive: Directive, *, actor: User, entry: AuditEntry) -> None:
    """Accepted or declined: the one who issued it and the issuing committee learn which, and why."""
    kind = "directive_accepted" if directive.status == "accepted" else "directive_declined"
    notify(kind, directive.task, [directive.issued_by, *_committee(directive.issuer_org_id)], actor=actor,
           entry=entry, note=directive.decline_reason or "", directive=directive)


def urge(actor: User, task: PlanTask, message) -> list[Notification]:
    """催办: the committee or the task's lead presses the owner and co-owners, with an optional message."""
    require_reviewer(actor, task, "task.urge")
    errors: dict = {}
    message = clean_text(errors, "message", "催办内容", message, max_len=URGE_MAX) or ""
    if errors:
        raise ValidationFailed(errors["message"], errors, action="task.urge", task=task)
    if task.is_closed or task.status == "draft":
        raise Conflict(f"任务{task.status_label},不能催办", action="task.urge", task=task)
    entry = audit.record(actor, "task.urge", task=task, changes={"message": message})
    return notify("urge", task, [task.owner, *task.co_owners], actor=actor, entry=entry, note=message)
