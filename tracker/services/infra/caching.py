"""Caches for what many pages read: per request (or job), and per web process for rarely edited settings.

The calendar overrides, the confirmed calendar years and the reminder rules change a few times a year, yet
every list page read them: three statements of nine on 我的任务 (bench/page_time.py). In a request they now
come from a copy kept by this process's app. A commit in this process that touched one of those tables
drops the copy at once; the other web workers read again within SETTINGS_CACHE_SECONDS. Jobs and commands
never use the process copy: they read once per run, so the reminder sweep always sees what is committed.
"""
import time
from collections.abc import Callable

from flask import current_app, g, has_app_context, has_request_context, request
from sqlalchemy import event
from sqlalchemy.orm import Session

from tracker.extensions import db

# Tables whose rows the process copy holds; a commit touching one of them clears it.
SETTINGS_TABLES = frozenset({"calendar_override", "calendar_year", "reminder_rule"})
CHANGED = "tracker.settings_changed"  # in session.info: this transaction has flushed a change to them
DERIVED = ("light_bounds",)  # worked out per request from the settings, so forgotten with them
FACTS = "facts"  # in the request cache: see request_facts()


def request_cache() -> dict:
    """A dict that lives as long as the current request, or the app context of a job or command."""
    if has_request_context():
        return request.environ.setdefault("tracker.cache", {})
    if "_tracker_cache" not in g:
        g._tracker_cache = {}
    return g._tracker_cache


def request_facts() -> dict:
    """Facts read from the database for this request (who is signed in, the newest task change…), forgotten
    as soon as the request writes anything itself."""
    return request_cache().setdefault(FACTS, {})


@event.listens_for(Session, "after_flush")
@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget_request_facts(session, *args) -> None:
    if has_app_context():
        request_cache().pop(FACTS, None)


@event.listens_for(Session, "do_orm_execute")
def _forget_facts_before_bulk_writes(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:  # no flush announces these
        _forget_request_facts(state.session)


def _table_name(thing) -> str | None:
    """The name of a mapped object's table, or of a table."""
    return getattr(getattr(thing, "__table__", thing), "name", None)


def note_writes(tables: frozenset, flag: str) -> None:
    """From now on set session.info[flag] whenever a session flushes, or writes in bulk, a row of `tables`."""
    @event.listens_for(Session, "after_flush")
    def _flushed(session, flush_context) -> None:
        if any(_table_name(obj) in tables for obj in (*session.new, *session.dirty, *session.deleted)):
            session.info[flag] = True

    @event.listens_for(Session, "do_orm_execute")
    def _bulk(state) -> None:
        if (state.is_insert or state.is_update or state.is_delete) \
                and _table_name(getattr(state.statement, "table", None)) in tables:
            state.session.info[flag] = True


def _process_cache() -> dict:
    return current_app.extensions.setdefault("tracker.settings_cache", {"generation": 0})


def settings(name: str, load: Callable[[], object]):
    """The value of a settings table, loaded at most once per request and, in requests, kept per process."""
    cache = request_cache()
    if name in cache:
        return cache[name]
    if has_request_context():
        shared = _process_cache()
        kept = shared.get(name)
        if kept is None or time.monotonic() - kept[0] > current_app.config["SETTINGS_CACHE_SECONDS"]:
            generation, value = shared["generation"], load()
            # Keep it for the other requests only if it is committed and no commit cleared the copy meanwhile
            # (a thread that read before another's commit would otherwise keep the old rows).
            if not db.session.info.get(CHANGED) and shared["generation"] == generation:
                shared[name] = (time.monotonic(), value)
        else:
            value = kept[1]
    else:
        value = load()
    cache[name] = value
    return value


def forget_settings(*names: str) -> None:
    """Read these settings again, in this request and in this process (after they were edited here)."""
    if not has_app_context():
        return
    for cache in (request_cache(), _process_cache()):
        for name in (*names, *DERIVED):
            cache.pop(name, None)


note_writes(SETTINGS_TABLES, CHANGED)


# A rollback clears too: a request may have read its own uncommitted change into the copy.
@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget_if_changed(session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint's end: the outer transaction decides
    if session.info.pop(CHANGED, False) and has_app_context():
        shared = _process_cache()
        generation = shared["generation"]
        shared.clear()
        shared["generation"] = generation + 1
