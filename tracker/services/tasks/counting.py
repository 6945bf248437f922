"""Counts and pages over many tasks, shared by every web worker in Redis while no task changes.

A county's list total reads 100,000 index entries (12 ms on PostgreSQL) and its dashboard makes one pass over
every task (~150 ms), and both are asked again and again for the same answer: each page of a list, each look
at the dashboard. So are a cadre's 我的任务 and an integration's API pages, whose ORM loading and rendering
cost four times the rest of the request. A key names what a result depends on — the organisations seen,
today, the light thresholds, what is asked (user, filters, page) — and two marks of the newest task change:
a counter in Redis that every commit changing tasks (or who helps with them) through the app increments, and
max(updated_at) and max(id) read off two indexes, for changes made outside the app (tasks are never deleted).
A renamed person, theme or unit, or an edited calendar day, waits for the time limit (COUNTS_CACHE_SECONDS).
Both marks are read once per request, and again once the request itself writes.
"""
import hashlib
import logging
from datetime import date
from functools import cache

import redis
from flask import current_app, has_app_context
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from tracker.extensions import db
from tracker.models import PlanTask, User
from tracker.services.infra.caching import note_writes, request_facts
from tracker.services.infra.shared_cache import CACHE_TIMEOUT, redis_client, remember
from tracker.services.tasks.lights import bounds

log = logging.getLogger(__name__)
NEWEST = "newest_task_change"  # in the request's facts
GENERATION = "task_generation"  # in the request's facts; in Redis under GENERATION_KEY
GENERATION_KEY = "tracker:cache:task-generation"
TASK_TABLES = frozenset({"plan_task", "task_co_owner"})
TASKS_CHANGED = "tracker.tasks_changed"  # in session.info: this transaction has written to TASK_TABLES


def digest(value) -> str:
    """A short fixed-length name for a value in a cache key."""
    return hashlib.sha256(repr(value).encode()).hexdigest()[:16]


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


def _generation() -> int | None:
    """How many commits through the app have changed tasks (None when Redis cannot tell)."""
    facts = request_facts()
    if GENERATION not in facts:
        try:
            facts[GENERATION] = int(_redis().get(GENERATION_KEY) or 0)
        except redis.RedisError as exc:
            log.warning("cache unavailable (%s); working the page out", exc)
            return None
    return facts[GENERATION]


def _redis():
    return redis_client(current_app.config["REDIS_URL"], CACHE_TIMEOUT)


note_writes(TASK_TABLES, TASKS_CHANGED)  # a change of helpers makes its task dirty, so it is seen too


@event.listens_for(Session, "after_commit")
def _count_task_change(session) -> None:
    # max(updated_at) misses a change committed after a later-stamped one, or one that only moved helpers.
    # Counted whatever this process's COUNTS_CACHE_SECONDS: a worker or command may write for the web's pages.
    if session.in_nested_transaction() or not session.info.pop(TASKS_CHANGED, False) or not has_app_context():
        return  # a savepoint released is not yet committed
    try:
        _redis().incr(GENERATION_KEY)  # an unanswering Redis holds the commit up to CACHE_TIMEOUT
    except redis.RedisError as exc:
        log.warning("cache unavailable (%s); kept pages age out within COUNTS_CACHE_SECONDS", exc)


@event.listens_for(Session, "after_rollback")
def _forget_task_change(session) -> None:
    if not session.in_nested_transaction():  # a savepoint rolled back leaves the outer changes in place
        session.info.pop(TASKS_CHANGED, None)


def shared(user: User, today: date, what: str, compute):
    """`compute()` (JSON-able), or what it gave for the same key while no task changed."""
    seconds = current_app.config["COUNTS_CACHE_SECONDS"]
    if seconds <= 0:
        return compute()
    db.session.flush()  # pending changes, which compute() would read, are noted as written
    if db.session.info.get(TASKS_CHANGED):
        return compute()  # this transaction's own task changes, not yet committed: nothing to share
    generation = _generation()
    if generation is None:
        return compute()
    newest, last_id = _newest_change()
    key = f"counts:{user.org.path}:{today}:{digest(bounds(today))}:{generation}:{newest}:{last_id}:{what}"
    return remember(key, seconds, compute)


def total(user: User, today: date, filters, query, cap: int | None = None) -> int:
    """How many tasks `query` selects; besides the user's organisations and today it may depend only on `filters`.

    With `cap`, counting stops past it (the answer is then cap + 1): the database reads cap + 1 rows, not all."""
    counted = query.order_by(None) if cap is None else query.order_by(None).limit(cap + 1)
    return shared(user, today, f"total:{cap or ''}:" + digest(filters),
                  lambda: db.session.scalar(select(func.count()).select_from(counted.subquery())))
