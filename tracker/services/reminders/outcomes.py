"""A sending batch's bookkeeping: what it has done but not yet recorded, written together at checkpoints."""
import time

from flask import current_app

from tracker.models.types import utcnow
from tracker.services.reminders import outbox


class Outcomes:
    """The sends, failures and deferrals of a batch since its last checkpoint, and the ids it still holds."""

    def __init__(self, claimed: list[int]):
        self.open = set(claimed)
        self.sent: list[int] = []
        self.resent: list[int] = []  # sent, after a try in the same attempt that may have arrived too
        self.failed: dict[tuple[int, str, bool], list[int]] = {}
        self.deferred: list[tuple[int, float]] = []
        self.later: list[tuple[list[int], float]] = []
        self.every = current_app.config["REMINDER_MARK_EVERY"]
        # A quarter of the stale time: the claim is renewed well before a sweep would take it for lost.
        self.interval = current_app.config["REMINDER_STALE_SECONDS"] / 4
        self.recorded_at = time.monotonic()
        self.window_left = 0

    def start_window(self, ids_from_here: list[int]) -> None:
        """Mark the next messages in flight before sending them (the caller commits): as many as come before the
        next checkpoint, so a batch that dies leaves marks on at most those, sent or not."""
        size = self.every if self.every > 0 else len(ids_from_here)
        outbox.mark_in_flight(ids_from_here[:size], utcnow())
        self.window_left = size

    def fail(self, out, error: str, *, uncertain: bool = False) -> None:
        self.failed.setdefault((out.attempts, error, uncertain), []).append(out.id)
        self.window_left -= 1

    def send_done(self, delivery_id: int, *, uncertain: bool = False) -> None:
        (self.resent if uncertain else self.sent).append(delivery_id)
        self.window_left -= 1

    def defer(self, delivery_id: int, wait: float) -> None:
        self.deferred.append((delivery_id, wait))
        self.window_left -= 1

    def checkpoint_due(self) -> bool:
        """Every REMINDER_MARK_EVERY sends, at the end of the messages marked in flight, and every quarter of
        REMINDER_STALE_SECONDS whatever the outcomes were."""
        return (self.every > 0 and len(self.sent) + len(self.resent) >= self.every) or self.window_left <= 0 \
            or time.monotonic() - self.recorded_at > self.interval

    def record(self) -> None:
        """Write the sent marks (one statement), the failures and deferrals, and renew the claim on the rest.

        It flushes only; the job commits right after, so each checkpoint is one transaction.
        """
        now = utcnow()
        if self.sent:
            outbox.mark_sent(self.sent, now)
        if self.resent:
            outbox.mark_sent(self.resent, now, uncertain=True)
        for (attempts, error, uncertain), ids in self.failed.items():
            delay = outbox.record_failures(ids, attempts, error, now, uncertain=uncertain)
            if delay is not None:
                self.later.append((ids, delay))
        for delivery_id, wait in self.deferred:
            outbox.defer(delivery_id, wait, now)
            self.later.append(([delivery_id], wait))
        done = set(self.sent).union(self.resent, *self.failed.values(), (i for i, _ in self.deferred))
        self.open -= done
        if self.open and done:
            outbox.renew_claim(sorted(self.open), now)
        self.sent, self.resent, self.failed, self.deferred = [], [], {}, []
        self.recorded_at = time.monotonic()
