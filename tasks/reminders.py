"""Reminder jobs: the sweep (beat, every few minutes) and the send job (delivery ids only)."""
import logging
from datetime import date

from celery import shared_task
from flask import current_app

from tracker.extensions import db
from tracker.models.types import utcnow
from tracker.services.clock import today
from tracker.services.reminders import outbox, robots
from tracker.services.reminders.deliver import load_outgoing, send_one
from tracker.services.reminders.email import Mailer
from tracker.services.reminders.sweep import run_sweep

log = logging.getLogger(__name__)


def sweep_and_hand_out(day: date, *, digest_due: bool = False):
    """Run the sweep, commit, then hand pending ids (new, or lost with a broker or a worker) to the send job."""
    beat = run_sweep(day, digest_due=digest_due)
    db.session.commit()
    ids = outbox.claim_for_handout(utcnow())
    db.session.commit()
    outbox.enqueue(ids)
    return beat, ids


@shared_task(name="reminders.sweep", acks_late=True, ignore_result=True)
def sweep(day: str | None = None) -> int:
    """Beat's sweep as of today (or a given ISO day); safe to run twice or twice at once."""
    beat, ids = sweep_and_hand_out(date.fromisoformat(day) if day else today(), digest_due=bool(day))
    log.info("reminder sweep for %s: %s; %d deliveries queued", beat.for_date, beat.counts, len(ids))
    return len(ids)


@shared_task(name="reminders.send", bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def send(self, ids: list[int]) -> int:
    """Send these deliveries; failures are retried with backoff and jitter through the row, then marked failed."""
    clean = [i for i in ids if isinstance(i, int) and not isinstance(i, bool)] if isinstance(ids, list) else []
    later = send_batch(clean)
    for delivery_id, delay in later:
        self.app.send_task("reminders.send", args=[[delivery_id]], countdown=delay,
                           queue=current_app.config["REMINDER_QUEUE"])
    log.info("reminder send: %d ids, %d to try again later", len(clean), len(later))
    return len(clean) - len(later)


def send_batch(ids: list[int]) -> list[tuple[int, float]]:
    """Claim, send, and record each outcome; returns (id, seconds) for retries and deferrals to schedule.

    Sent marks are committed every REMINDER_MARK_EVERY messages (and at once on any failure), so a killed
    worker repeats at most that many of the messages it had in flight; 1 makes it repeat at most one.
    """
    claimed = outbox.claim_for_sending(ids, utcnow())
    db.session.commit()
    if not claimed:
        return []
    outgoing = load_outgoing(claimed)
    db.session.commit()
    every = max(1, current_app.config["REMINDER_MARK_EVERY"])
    later: list[tuple[int, float]] = []
    unmarked: list[int] = []
    mailer = Mailer()

    def mark():
        if unmarked:
            outbox.mark_sent(unmarked, utcnow())
            db.session.commit()
            unmarked.clear()

    try:
        for out in outgoing:
            wait = robots.wait_for_slot(out.webhook) if out.channel != "email" and out.webhook else 0.0
            if wait:
                mark()
                outbox.defer(out.id, wait, utcnow())
                db.session.commit()
                later.append((out.id, wait))
                continue
            try:
                send_one(out, mailer)
            except Exception as exc:  # recorded on the row, retried with backoff, then visibly failed
                mark()
                log.warning("delivery %s (%s) failed on attempt %s: %s", out.id, out.channel, out.attempts, exc)
                delay = outbox.record_failure(out.id, out.attempts, f"{type(exc).__name__}: {exc}", utcnow())
                db.session.commit()
                if delay is not None:
                    later.append((out.id, delay))
                continue
            unmarked.append(out.id)
            if len(unmarked) >= every:
                mark()
        mark()
    finally:
        mailer.close()
    return later
