"""督办单 verbs: the committee of the task's organisation (or one above it) issues, the owner answers."""
from sqlalchemy import update

from tracker.extensions import db
from tracker.models import PlanTask, Supervision, User
from tracker.models.types import utcnow
from tracker.services import audit
from tracker.services.calendar.clock import today
from tracker.services.errors import Conflict, PermissionDenied, ValidationFailed
from tracker.services.people.access import is_worker, may_supervise
from tracker.services.reminders.immediate import notify
from tracker.services.supervision import numbering, rules
from tracker.services.validation import clean_text

MESSAGE_MAX = 1000
NOTE_MAX = 2000


def _days(errors: dict, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        errors["respond_within_days"] = "答复时限须为整数(工作日)"
        return 0
    if not rules.DAYS_MIN <= value <= rules.DAYS_MAX:
        errors["respond_within_days"] = f"答复时限须在{rules.DAYS_MIN}到{rules.DAYS_MAX}个工作日之间"
    return value


def issue(actor: User, task: PlanTask, message, respond_within_days) -> Supervision:
    """下发督办单: numbered for the actor's organisation and year, the owner and co-owners told at once."""
    if not may_supervise(actor, task):
        raise PermissionDenied("只有本单位或上级单位的党委/政府办公室可以下发督办单", action="supervision.issue",
                               task=task)
    errors: dict = {}
    message = clean_text(errors, "message", "督办内容", message, max_len=MESSAGE_MAX, required=True)
    days = _days(errors, respond_within_days)
    if errors:
        raise ValidationFailed(next(iter(errors.values())), errors)
    if task.status == "draft" or task.owner_id is None or task.is_closed:
        raise Conflict(f"任务{task.status_label},不能下发督办单", action="supervision.issue", task=task)
    day = today()
    seq = numbering.next_seq(actor.org_id, day.year)
    item = Supervision(task_id=task.id, issuer_org_id=actor.org_id, issued_by_id=actor.id, year=day.year, seq=seq,
                       number=numbering.number(actor.org, day.year, seq), message=message,
                       respond_within_days=days, respond_by=rules.respond_by(day, days), issued_at=utcnow(),
                       state="open", answer_note="")
    db.session.add(item)
    db.session.flush()
    entry = audit.record(actor, "supervision.issue", task=task, obj=item, changes={
        "number": item.number, "supervision_message": message, "respond_by": item.respond_by})
    notify("supervision", task, [task.owner, *task.co_owners], actor=actor, entry=entry,
           note=f"{item.number},请于{item.respond_by.isoformat()}前答复:{message}")
    return item


def answer(actor: User, item: Supervision, note) -> Supervision:
    """答复督办单: the owner or a co-owner, once; a late answer is still taken, and marked late."""
    task = item.task
    if not is_worker(actor, task):
        raise PermissionDenied("只有责任人或协办人可以答复督办单", action="supervision.answer", task=task)
    errors: dict = {}
    note = clean_text(errors, "note", "答复内容", note, max_len=NOTE_MAX, required=True)
    if errors:
        raise ValidationFailed(errors["note"], errors)
    late = rules.is_overdue(item, today())
    # Decided by the row, as a request is (tasks/requests._claim): of two answers at once, one wins.
    claimed = db.session.execute(update(Supervision).where(
        Supervision.id == item.id, Supervision.state == "open").values(
        state="answered", answered_at=utcnow(), answered_by_id=actor.id, answer_note=note)
        .execution_options(synchronize_session=False)).rowcount
    if not claimed:
        raise Conflict(f"督办单{item.number}已答复", action="supervision.answer", task=task)
    db.session.refresh(item)
    audit.record(actor, "supervision.answer", task=task, obj=item,
                 changes={"number": item.number, "answer": note, **({"late": True} if late else {})})
    return item
