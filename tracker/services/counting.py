"""Counts and pages over many tasks, shared by every web worker in Redis while no task changes.

A county's list total reads 100,000 index entries (12 ms on PostgreSQL) and its dashboard makes one pass over
every task (~150 ms), and both are asked again and again for the same answer: each page of a list, each look
at the dashboard. So are a cadre's 我的任务 and an integration's API pages, whose ORM loading and rendering
cost four times the rest of the request. A key names what a result depends on — the organisations seen,
today, the light thresholds, what is asked (user, filters, page) — and the newest task change: every change
of a task sets its updated_at and tasks are never deleted, so max(updated_at) and max(id), read off two
indexes, tell whether anything changed. Only a change committed out of timestamp order, a renamed person,
theme or unit, or an edited calendar day waits for the time limit (COUNTS_CACHE_SECONDS). The newest change
is read once per request, and again after the request itself flushes or commits.
"""
import hashlib
from datetime import date
from functools import cache

from flask import current_app
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import PlanTask, User
from tracker.services.caching import request_facts
from tracker.services.light_sql import bounds
from tracker.services.shared_cache import remember


def digest(value) -> str:
    """A short fixed-length name for a value in a cache key."""
    return hashlib.sha256(repr(value).encode()).hexdigest()[:16]


NEWEST = "newest_task_change"  # in the request's facts


def newest_change_columns() -> tuple:
    """The newest task change (max updated_at, max id) as two columns, to read with the signed-in user."""
    return (select(func.max(PlanTask.updated_at)).scalar_subquery(),
            select(func.max(PlanTask.id)).scalar_subquery())


def keep_newest_change(updated_at, last_id) -> None:
    """Remember the newest task change for the rest of the request (it is read again after a write)."""
    request_facts()[NEWEST] = (updated_at, last_id)


@cache
def _newest_change_query():
    return select(*newest_change_columns())


def _newest_change() -> tuple:
    facts = request_facts()
    if NEWEST not in facts:
        keep_newest_change(*db.session.execute(_newest_change_query()).one())
    return facts[NEWEST]


def shared(user: User, today: date, what: str, compute):
    """`compute()` (JSON-able), or what it gave for the same key while no task changed."""
    seconds = current_app.config["COUNTS_CACHE_SECONDS"]
    if seconds <= 0:
        return compute()
    newest, last_id = _newest_change()
    key = f"counts:{user.org.path}:{today}:{digest(bounds(today))}:{newest}:{last_id}:{what}"
    return remember(key, seconds, compute)


def total(user: User, today: date, filters, query) -> int:
    """How many tasks `query` selects; besides the user's organisations and today it may depend only on `filters`."""
    return shared(user, today, "total:" + digest(filters),
                  lambda: db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())))
