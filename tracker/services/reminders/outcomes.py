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
        self.failed: dict[tuple[int, str], list[int]] = {}
        self.deferred: list[tuple[int, float]] = []
        self.later: list[tuple[list[int], float]] = []
        self.every = current_app.config["REMINDER_MARK_EVERY"]
        # A quarter of the stale time: the claim is renewed well before a sweep would take it for lost.
        self.interval = current_app.config["REMINDER_STALE_SECONDS"] / 4
        self.recorded_at = time.monotonic()

    def fail(self, out, error: str) -> None:
        self.failed.setdefault((out.attempts, error), []).append(out.id)

    def defer(self, delivery_id: int, wait: float) -> None:
        self.deferred.append((delivery_id, wait))

    def checkpoint_due(self) -> bool:
        """Every REMINDER_MARK_EVERY sends, and every quarter of REMINDER_STALE_SECONDS whatever the outcomes were."""
        return (self.every > 0 and len(self.sent) >= self.every) or time.monotonic() - self.recorded_at > self.interval

    def record(self) -> None:
        """Write the sent marks (one statement), the failures and deferrals, and renew the claim on the rest.

        It flushes only; the job commits right after, so each checkpoint is one transaction.
        """
        now = utcnow()
        if self.sent:
            outbox.mark_sent(self.sent, now)
        for (attempts, error), ids in self.failed.items():
            delay = outbox.record_failures(ids, attempts, error, now)
            if delay is not None:
                self.later.append((ids, delay))
        for delivery_id, wait in self.deferred:
            outbox.defer(delivery_id, wait, now)
            self.later.append(([delivery_id], wait))
        done = set(self.sent).union(*self.failed.values(), (i for i, _ in self.deferred))
        self.open -= done
        if self.open and done:
            outbox.renew_claim(sorted(self.open), now)
        self.sent, self.failed, self.deferred = [], {}, []
        self.recorded_at = time.monotonic()
