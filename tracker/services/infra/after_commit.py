"""Work that must follow a commit (a Celery message): queued on the session, done once the outermost commit has
succeeded, dropped with the transaction or savepoint it was queued in when that rolls back. A job sent before its
commit could run before its rows exist, or for rows that a rollback then removes (Celery's docs, "Database
transactions"); the sweeps hand out again what a broker lost.
"""
import logging

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from tracker.extensions import db

log = logging.getLogger(__name__)
QUEUED = "tracker.after_commit"  # in session.info: [(transaction, batch key or None, function, arguments)]


def after_commit(fn, *args) -> None:
    """Call fn(*args) once the current transaction commits (never if it, or the savepoint it is in, rolls back)."""
    _queue(None, fn, list(args))


def after_commit_batch(key: str, items: list, fn) -> None:
    """Gather items under `key` and call fn(all of them) once, after the commit: one message for a transaction's
    thirty notices rather than thirty."""
    _queue(key, fn, list(items))


def send_job(name: str, args: list, queue: str) -> None:
    """Send the Celery job `name` once the current transaction commits; a broker that is down is logged and the
    job's row waits for the next hand-out."""
    after_commit(_send, name, args, queue)


def _send(name: str, args: list, queue: str) -> None:
    try:
        current_app.extensions["celery"].send_task(name, args=args, queue=queue)
    except Exception:  # kombu raises OperationalError and friends when Redis is unreachable
        log.warning("could not queue %s%s; the next hand-out will", name, args, exc_info=True)


def _queue(key, fn, payload: list) -> None:
    session = db.session()
    # Begun here when no statement has begun it yet, so that a rollback before any SQL still drops the work.
    within = session.get_nested_transaction() or session.get_transaction() or session.begin()
    session.info.setdefault(QUEUED, []).append((within, key, fn, payload))


def _inside(transaction, ancestor) -> bool:
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False


@event.listens_for(Session, "after_commit")
def _run_queued(session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: the outer transaction may still roll back
    batches: dict = {}
    for _, key, fn, payload in session.info.pop(QUEUED, []):
        if key is None:
            fn(*payload)
        else:
            batches.setdefault(key, (fn, []))[1].extend(payload)
    for fn, items in batches.values():
        fn(items)


@event.listens_for(Session, "after_soft_rollback")
def _drop_rolled_back(session, previous_transaction) -> None:
    queued = session.info.get(QUEUED)
    if not queued:
        return
    if previous_transaction.parent is None:  # the whole transaction (or none had begun): nothing of it goes out
        session.info.pop(QUEUED, None)
    else:  # a savepoint: what was queued inside it goes, the rest stays
        session.info[QUEUED] = [item for item in queued if not _inside(item[0], previous_transaction)]
