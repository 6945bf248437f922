"""Work that must follow a commit (a Celery message): queued on the session, done once the outermost commit has
succeeded, dropped on rollback. A job sent before its commit could run before its rows exist, or for rows that
a rollback then removes (Celery's docs, "Database transactions"); the sweeps hand out again what a broker lost.
"""
import logging

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from tracker.extensions import db

log = logging.getLogger(__name__)
QUEUED = "tracker.after_commit"  # in session.info: [(function, args)]
BATCHES = "tracker.after_commit.batches"  # in session.info: {key: [items]}


def after_commit(fn, *args) -> None:
    """Call fn(*args) once the current transaction commits (never if it rolls back)."""
    db.session.info.setdefault(QUEUED, []).append((fn, args))


def after_commit_batch(key: str, items: list, fn) -> None:
    """Gather items under `key` and call fn(all of them) once, after the commit: one message for a transaction's
    thirty notices rather than thirty."""
    batches = db.session.info.setdefault(BATCHES, {})
    if key not in batches:
        batches[key] = []
        after_commit(lambda: fn(batches.pop(key, [])))
    batches[key].extend(items)


def send_job(name: str, args: list, queue: str) -> None:
    """Send the Celery job `name` once the current transaction commits; a broker that is down is logged and the
    job's row waits for the next hand-out."""
    after_commit(_send, name, args, queue)


def _send(name: str, args: list, queue: str) -> None:
    try:
        current_app.extensions["celery"].send_task(name, args=args, queue=queue)
    except Exception:  # kombu raises OperationalError and friends when Redis is unreachable
        log.warning("could not queue %s%s; the next hand-out will", name, args, exc_info=True)


@event.listens_for(Session, "after_commit")
def _run_queued(session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: the outer transaction may still roll back
    queued = session.info.pop(QUEUED, [])
    session.info.pop(BATCHES, None)  # each batch's callback holds its own list
    for fn, args in queued:
        fn(*args)


@event.listens_for(Session, "after_rollback")
def _drop_queued(session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(QUEUED, None)
        session.info.pop(BATCHES, None)
