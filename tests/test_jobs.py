"""The Celery wiring, through a real worker process and Redis."""
import time
from datetime import timedelta

from sqlalchemy import func, select

from tasks.maintenance import prune_tokens
from tracker.extensions import db
from tracker.models import ApiToken
from tracker.models.types import utcnow
from tracker.services.people.users import get_user, issue_token


def _wait_until(predicate, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_worker_prunes_expired_tokens(app, world, celery_worker):
    user = get_user("cadre")
    issue_token(user)                      # live
    _, _ = issue_token(user)
    rows = db.session.scalars(select(ApiToken).order_by(ApiToken.id)).all()
    rows[1].expires_at = utcnow() - timedelta(days=3)   # long expired
    db.session.commit()

    prune_tokens.apply_async(queue=celery_worker["queue"])

    def remaining():
        db.session.rollback()  # see the worker's commit
        return db.session.scalar(select(func.count()).select_from(ApiToken))

    assert _wait_until(lambda: remaining() == 1), celery_worker["log"].read_text()[-2000:]
    assert db.session.scalar(select(ApiToken.id)) == rows[0].id
    # Idempotent: a second run removes nothing more.
    prune_tokens.apply_async(queue=celery_worker["queue"])
    assert _wait_until(lambda: celery_worker["log"].read_text().count("pruned 0 api tokens") == 1)
    assert remaining() == 1
