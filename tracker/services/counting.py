"""Counts over many tasks, shared by every web worker in Redis while no task changes (COUNTS_CACHE_SECONDS).

A county's list total reads 100,000 index entries (12 ms on PostgreSQL) and its dashboard makes one pass over
every task (~150 ms), and both are asked again and again for the same answer: each page of a list, each look
at the dashboard. A key names what a count depends on — the organisations seen, today, the light thresholds,
what is counted — and the newest task change: every change of a task sets its updated_at and tasks are never
deleted, so max(updated_at) and max(id), read off two indexes, tell whether anything changed. Only a change
committed out of timestamp order, or a renamed person, theme or unit, waits for the time limit.
"""
import hashlib
from datetime import date

from flask import current_app
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import PlanTask, User
from tracker.services.light_sql import bounds
from tracker.services.shared_cache import remember


def _digest(value) -> str:
    return hashlib.sha256(repr(value).encode()).hexdigest()[:16]


def shared(user: User, today: date, what: str, compute):
    """`compute()` (JSON-able), or what it gave for the same key while no task changed."""
    seconds = current_app.config["COUNTS_CACHE_SECONDS"]
    if seconds <= 0:
        return compute()
    newest, last_id = db.session.execute(select(func.max(PlanTask.updated_at), func.max(PlanTask.id))).one()
    key = f"counts:{user.org.path}:{today}:{_digest(bounds(today))}:{newest}:{last_id}:{what}"
    return remember(key, seconds, compute)


def total(user: User, today: date, filters, query) -> int:
    """How many tasks `query` selects; besides the user's organisations and today it may depend only on `filters`."""
    return shared(user, today, "total:" + _digest(filters),
                  lambda: db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())))
