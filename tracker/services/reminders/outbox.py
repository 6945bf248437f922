"""The outbox: deliveries are rows first; ids go to the broker only after commit, and stale ones go again.

A delivery is pending until a worker marks it sent or failed. `queued_at` says when it was handed to the
broker and `claimed_at` when a worker took it; either older than REMINDER_STALE_SECONDS means the message
or the worker was lost (a restarted Redis, a killed worker), so the next sweep hands it out again. Redis'
own visibility timeout is never relied on.
"""
import logging
import random
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import case, or_, select, text, update

from tracker.extensions import db
from tracker.models import Delivery
from tracker.models.types import utcnow
from tracker.services.infra.after_commit import after_commit_batch

log = logging.getLogger(__name__)
SEND_TASK = "reminders.send"


def _stale(now: datetime) -> datetime:
    return now - timedelta(seconds=current_app.config["REMINDER_STALE_SECONDS"])


def remember_for_commit(ids: list[int]) -> None:
    """Queue these delivery ids once the current transaction commits."""
    after_commit_batch("reminder-deliveries", ids, enqueue)


def enqueue(ids: list[int]) -> None:
    """Hand ids to the send job in batches; a broker that is down only delays them until the next sweep."""
    celery = current_app.extensions["celery"]
    size = current_app.config["REMINDER_BATCH_SIZE"]
    try:
        for start in range(0, len(ids), size):
            celery.send_task(SEND_TASK, args=[ids[start:start + size]], queue=current_app.config["REMINDER_QUEUE"])
    except Exception:  # the rows stay pending; the sweep hands them out again once queued_at is stale
        log.warning("could not queue %d reminder deliveries; the next sweep will", len(ids), exc_info=True)


def claim_for_handout(now: datetime, limit: int = 50_000) -> list[int]:
    """Mark pending deliveries that are not (or no longer) in anybody's hands as queued now; returns the ids it
    marked, never one another hand-out took meanwhile."""
    stale = _stale(now)
    ready = (
        Delivery.status == "pending",
        or_(Delivery.next_attempt_at.is_(None), Delivery.next_attempt_at <= now),
        or_(Delivery.queued_at.is_(None), Delivery.queued_at < stale),
        or_(Delivery.claimed_at.is_(None), Delivery.claimed_at < stale),
    )
    # One UPDATE … RETURNING, the conditions in it: a second hand-out that waited for this one's row locks
    # re-checks them on the rows as committed and gets none of these (issue 18.18: it returned what it read).
    candidates = select(Delivery.id).where(*ready).order_by(Delivery.id).limit(limit).scalar_subquery()
    rows = db.session.execute(
        update(Delivery).where(Delivery.id.in_(candidates), *ready).values(queued_at=now).returning(Delivery.id),
        execution_options={"synchronize_session": False})
    return sorted(r[0] for r in rows)


def claim_for_sending(ids: list[int], now: datetime) -> list[int]:
    """A worker takes the deliveries nobody else holds; each taking counts as an attempt."""
    stale = _stale(now)
    rows = db.session.execute(
        update(Delivery).where(
            Delivery.id.in_(ids), Delivery.status == "pending",
            or_(Delivery.claimed_at.is_(None), Delivery.claimed_at < stale),
            or_(Delivery.next_attempt_at.is_(None), Delivery.next_attempt_at <= now),
        ).values(claimed_at=now, attempts=Delivery.attempts + 1, in_flight_at=None,
                 # A mark left by the last holder, which never said how the message went: it may have arrived.
                 uncertain_attempts=Delivery.uncertain_attempts + case((Delivery.in_flight_at.is_not(None), 1),
                                                                       else_=0)).returning(Delivery.id),
        execution_options={"synchronize_session": False})
    return sorted(r[0] for r in rows)


def mark_in_flight(delivery_ids: list[int], now: datetime) -> None:
    """Say which messages a batch is about to send, before it sends them (committed with its checkpoint)."""
    if delivery_ids:
        db.session.execute(update(Delivery).where(Delivery.id.in_(delivery_ids)).values(in_flight_at=now),
                           execution_options={"synchronize_session": False})


def mark_sent(delivery_ids: list[int], now: datetime, *, uncertain: bool = False) -> None:
    """Record messages as sent (the caller commits right away); uncertain: sent again after a send whose
    outcome was unknown (a connection dropped after the message was written)."""
    if db.session.get_bind().dialect.name == "postgresql":
        # A commit lost in a database crash can only make a message go twice, never lose one, so this
        # transaction need not wait for its WAL flush (PostgreSQL docs, "Asynchronous Commit").
        db.session.execute(text("SET LOCAL synchronous_commit TO OFF"))
    db.session.execute(update(Delivery).where(Delivery.id.in_(delivery_ids)).values(
        status="sent", sent_at=now, last_error="", in_flight_at=None,
        uncertain_attempts=Delivery.uncertain_attempts + (1 if uncertain else 0)),
        execution_options={"synchronize_session": False})


def backoff_seconds(attempts: int) -> float:
    """Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter")."""
    base = current_app.config["REMINDER_RETRY_BASE_SECONDS"]
    cap = current_app.config["REMINDER_RETRY_MAX_SECONDS"]
    ceiling = min(cap, base * 2 ** max(0, attempts - 1))
    return ceiling / 2 + random.uniform(0, ceiling / 2)


def record_failures(delivery_ids: list[int], attempts: int, error: str, now: datetime, *,
                    uncertain: bool = False) -> float | None:
    """Record a failed attempt of deliveries that failed alike; returns the delay before the next one, or None
    once they are finally failed. uncertain: the peer may have taken the message all the same (a timeout while
    awaiting its answer)."""
    values: dict = {"last_error": error[:1000], "claimed_at": None, "in_flight_at": None}
    if uncertain:
        values["uncertain_attempts"] = Delivery.uncertain_attempts + 1
    delay = None
    if attempts >= current_app.config["REMINDER_MAX_ATTEMPTS"]:
        values["status"] = "failed"
    else:
        delay = backoff_seconds(attempts)
        # Queued until then: the sweep hands them out again only if the retry message is lost.
        values["next_attempt_at"] = values["queued_at"] = now + timedelta(seconds=delay)
    db.session.execute(update(Delivery).where(Delivery.id.in_(delivery_ids)).values(**values),
                       execution_options={"synchronize_session": False})
    return delay


def renew_claim(delivery_ids: list[int], now: datetime) -> None:
    """A slow batch keeps hold of what it has not sent yet, so no sweep hands those out meanwhile."""
    db.session.execute(update(Delivery).where(Delivery.id.in_(delivery_ids), Delivery.status == "pending")
                       .values(claimed_at=now), execution_options={"synchronize_session": False})


def defer(delivery_id: int, seconds: float, now: datetime) -> None:
    """Put a delivery back without counting the attempt (a robot's rate limit: throttled, never dropped)."""
    later = now + timedelta(seconds=seconds)
    db.session.execute(update(Delivery).where(Delivery.id == delivery_id).values(
        attempts=Delivery.attempts - 1, claimed_at=None, next_attempt_at=later, queued_at=later, in_flight_at=None),
        execution_options={"synchronize_session": False})


def retry_failed(ids: list[int]) -> int:
    """Put failed deliveries back to pending with fresh attempts (the committee's retry); returns how many."""
    now = utcnow()
    result = db.session.execute(update(Delivery).where(Delivery.id.in_(ids), Delivery.status == "failed").values(
        status="pending", attempts=0, next_attempt_at=None, claimed_at=None, queued_at=now, last_error=""),
        execution_options={"synchronize_session": False})
    remember_for_commit(list(ids))
    return result.rowcount or 0
