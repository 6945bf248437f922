"""Housekeeping jobs."""
import logging

from celery import shared_task

from tracker.extensions import db
from tracker.services.people.users import prune_expired_tokens

log = logging.getLogger(__name__)


@shared_task(name="maintenance.prune_tokens", acks_late=True, ignore_result=True)
def prune_tokens() -> int:
    """Delete API tokens that expired or were revoked over a day ago; safe to run any number of times."""
    removed = prune_expired_tokens()
    db.session.commit()
    log.info("pruned %d api tokens", removed)
    return removed
