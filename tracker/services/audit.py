"""Writing the audit trail (留痕); entries are only ever added."""
from datetime import date
from decimal import Decimal

from tracker.extensions import db
from tracker.models import AuditEntry, User


def _plain(value):
    """JSON-friendly form of a value kept in an entry."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, User):
        return value.username
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def record(actor: User | None, action: str, *, task=None, obj=None, org_id: int | None = None,
           changes: dict | None = None) -> AuditEntry:
    """Add one entry; `changes` maps a field to (before, after) or holds plain facts."""
    target = obj if obj is not None else task
    plain = {}
    for key, value in (changes or {}).items():
        if isinstance(value, tuple) and len(value) == 2:
            plain[key] = [_plain(value[0]), _plain(value[1])]
        else:
            plain[key] = _plain(value)
    entry = AuditEntry(
        actor_id=actor.id if actor else None,
        org_id=org_id if org_id is not None else getattr(task, "org_id", None) or getattr(target, "org_id", None),
        task_id=task.id if task is not None else None,
        object_type=type(target).__name__ if target is not None else "system",
        object_id=getattr(target, "id", None),
        action=action,
        changes=plain,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def is_kept(error) -> bool:
    """Refusals of rights (403) and of the task's state (409) are kept; input mistakes (400, 413) are not."""
    return bool(error.action) and error.status in (403, 409)


def record_refusal(actor: User | None, error) -> None:
    """Keep a refused attempt (after the failed transaction was rolled back), if it is one to keep."""
    if not is_kept(error):
        return
    db.session.add(AuditEntry(
        actor_id=actor.id if actor else None, org_id=error.org_id, task_id=error.task_id,
        object_type="PlanTask" if error.task_id else "system", object_id=error.task_id,
        action=f"{error.action}.refused",
        changes={"reason": error.message, "status": error.status, **({"fields": error.fields} if error.fields else {})},
    ))
    db.session.flush()
