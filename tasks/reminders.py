"""Reminder jobs: the sweep (beat, every few minutes) and the send job (delivery ids only)."""
import logging
from datetime import date

from celery import shared_task
from flask import current_app

from tracker.extensions import db
from tracker.models.types import utcnow
from tracker.services.calendar.clock import today
from tracker.services.reminders import outbox, robots
from tracker.services.reminders.deliver import load_outgoing, send_one
from tracker.services.reminders.email import Mailer, MailServerDown
from tracker.services.reminders.outcomes import Outcomes
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
    try:
        for again, delay in later:
            self.app.send_task("reminders.send", args=[again], countdown=delay,
                               queue=current_app.config["REMINDER_QUEUE"])
    except Exception:  # a broker that is down: the rows are queued until their retry time, then the sweep's again
        log.warning("could not queue the retries of %d deliveries; the sweep will", len(later), exc_info=True)
    put_back = sum(len(again) for again, _ in later)
    log.info("reminder send: %d ids, %d to try again later", len(clean), put_back)
    return len(clean) - put_back


def send_batch(ids: list[int]) -> list[tuple[list[int], float]]:
    """Claim, send, and record the outcomes; returns (ids, seconds) for retries and deferrals to schedule.

    One claim and one SMTP connection per batch; outcomes are recorded every REMINDER_MARK_EVERY [20] sends, so a
    worker killed mid-batch repeats at most 20 messages (0 records once per batch, 1 repeats at most one). A
    checkpoint also comes every quarter of REMINDER_STALE_SECONDS whatever the outcomes, sends or failures, so no
    sweep hands out again what a slow batch still holds.
    """
    claimed = outbox.claim_for_sending(ids, utcnow())
    db.session.commit()
    if not claimed:
        return []
    outgoing = load_outgoing(claimed)
    outcomes = Outcomes(claimed)
    outcomes.start_window([o.id for o in outgoing])
    db.session.commit()
    mail_down = limiter_down = ""
    mailer = Mailer()
    try:
        for index, out in enumerate(outgoing):
            # At the top of every pass, whatever the last outcome was: a run of slow failures must renew the
            # claim too, or a sweep hands out what this batch still holds and another worker sends it.
            if outcomes.checkpoint_due():
                outcomes.record()
                outcomes.start_window([o.id for o in outgoing[index:]])
                db.session.commit()
            is_robot = out.channel != "email"
            if mail_down and not is_robot or limiter_down and is_robot:
                outcomes.fail(out, limiter_down if is_robot else mail_down)
                continue
            try:
                # Inside the error handling: a rate limiter that fails is one more recorded failure (issue 18.17).
                wait = robots.wait_for_slot(out.webhook) if is_robot and out.webhook else 0.0
                resent = False if wait else send_one(out, mailer)
            except Exception as exc:  # recorded on the row, retried with backoff, then visibly failed
                log.warning("delivery %s (%s) failed on attempt %s: %s", out.id, out.channel, out.attempts, exc)
                # A robot's failure is already our own short reason (never the peer's answer, issue 18.1).
                error = str(exc) if isinstance(exc, robots.RobotError) else f"{type(exc).__name__}: {exc}"
                if isinstance(exc, MailServerDown):  # the rest of the batch's email waits for the retry too
                    mail_down = error
                if isinstance(exc, robots.LimiterDown):  # and the rest of its robot messages
                    limiter_down = error
                outcomes.fail(out, error, uncertain=getattr(exc, "may_have_arrived", False))
                continue
            if wait:
                outcomes.defer(out.id, wait)
                continue
            outcomes.send_done(out.id, uncertain=resent)
        outcomes.record()
        db.session.commit()
    finally:
        mailer.close()
    return outcomes.later
