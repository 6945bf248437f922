"""The traffic light (红黄绿灯) as SQL, so lists can filter, sort and count by it in the database.

It mirrors tracker.services.lights.light exactly; tests/test_web_plans.py checks the two agree.
"""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from types import SimpleNamespace

from flask import current_app
from sqlalchemy import and_, case, func, literal, not_, or_, true

from tracker.models import PlanTask, task_is_closed
from tracker.services.caching import request_cache
from tracker.services.workdays import add_workdays, is_workday

LIGHTS = ("red", "yellow", "green", "grey")
LIGHT_LABELS = {"red": "逾期", "yellow": "临期/停滞", "green": "正常", "grey": "已结束"}


@dataclass(frozen=True)
class Thresholds:
    """One organisation's (or the default) limits and the dates they give for today."""

    org_ids: tuple | None  # None: every organisation without rules of its own
    due_soon_before: date  # due earlier than this (and not overdue) is "due soon"
    stalled_before: datetime  # last activity earlier than this is "stalled" (lights.light compares UTC dates)


@dataclass(frozen=True)
class LightBounds:
    """The dates the light rules compare with, computed once per request in Python (China's calendar)."""

    today: date
    # A due date before this is overdue: its effective due date (a day off moves to the next working
    # day) lies before today, i.e. the due date is on or before the last working day before today.
    overdue_before: date
    thresholds: tuple  # of Thresholds, the defaults last
    custom_org_ids: tuple  # organisations with thresholds of their own


def _after_last_workday_before(day: date) -> date:
    """The day after the last working day before `day`: a due date before it falls due before `day`."""
    prev = day - timedelta(days=1)
    while not is_workday(prev):
        prev -= timedelta(days=1)
    return prev + timedelta(days=1)


def _rules() -> tuple[dict, object]:
    """Each organisation's own thresholds and the defaults (the reminders feature makes them editable)."""
    try:
        from tracker.services.reminders.rules import custom_rules, defaults
    except ImportError:  # without the reminders feature the config values apply everywhere
        config = current_app.config
        return {}, SimpleNamespace(due_soon_workdays=config["DUE_SOON_WORKDAYS"], stalled_days=config["STALLED_DAYS"])
    return custom_rules(), defaults()


def _thresholds(today: date, org_ids, due_soon_workdays: int, stalled_days: int) -> Thresholds:
    soon = _after_last_workday_before(add_workdays(today, due_soon_workdays + 1))
    cutoff = today - timedelta(days=stalled_days)
    return Thresholds(org_ids, soon, datetime.combine(cutoff, time(0), tzinfo=timezone.utc))


def bounds(today: date) -> LightBounds:
    """The boundaries for today, per distinct set of thresholds in use (worked out once per request)."""
    cache = request_cache().setdefault("light_bounds", {})
    if today not in cache:
        cache[today] = _bounds(today)
    return cache[today]


def _bounds(today: date) -> LightBounds:
    custom, default = _rules()
    by_limits: dict = {}
    for org_id, rules in custom.items():
        by_limits.setdefault((rules.due_soon_workdays, rules.stalled_days), []).append(org_id)
    parts = [_thresholds(today, tuple(sorted(ids)), soon, stalled) for (soon, stalled), ids in sorted(by_limits.items())]
    parts.append(_thresholds(today, None, default.due_soon_workdays, default.stalled_days))
    return LightBounds(today, _after_last_workday_before(today), tuple(parts), tuple(sorted(custom)))


# The SQL expressions are built once per set of bounds (a day's), not for every list a page shows.
@lru_cache(maxsize=64)
def _conditions(b: LightBounds) -> dict:
    custom_ids = b.custom_org_ids
    closed = task_is_closed()
    is_open = not_(closed)
    red = and_(is_open, PlanTask.due_date.is_not(None), PlanTask.due_date < b.overdue_before)
    not_red = or_(PlanTask.due_date.is_(None), PlanTask.due_date >= b.overdue_before)
    last = func.coalesce(PlanTask.last_progress_at, PlanTask.assigned_at, PlanTask.created_at)
    warns, calms = [], []
    for t in b.thresholds:
        scope = PlanTask.org_id.in_(t.org_ids) if t.org_ids is not None else (
            PlanTask.org_id.not_in(custom_ids) if custom_ids else true())
        warns.append(and_(scope, or_(and_(PlanTask.due_date.is_not(None), PlanTask.due_date < t.due_soon_before),
                                     last < t.stalled_before)))
        calms.append(and_(scope, or_(PlanTask.due_date.is_(None), PlanTask.due_date >= t.due_soon_before),
                          last >= t.stalled_before))
    yellow = and_(is_open, not_red, PlanTask.status != "draft", or_(*warns))
    green = and_(is_open, not_red, or_(PlanTask.status == "draft", or_(*calms)))
    return {"grey": closed, "red": red, "yellow": yellow, "green": green}


def light_condition(light: str, b: LightBounds):
    """A WHERE condition selecting tasks of one light."""
    return _conditions(b)[light]


@lru_cache(maxsize=64)
def light_column(b: LightBounds):
    """A CASE expression giving each task's light as text (for GROUP BY)."""
    c = _conditions(b)
    return case((c["grey"], literal("grey")), (c["red"], literal("red")), (c["yellow"], literal("yellow")),
                else_=literal("green"))


@lru_cache(maxsize=64)
def urgency_column(b: LightBounds):
    """0 red, 1 yellow, 2 green, 3 grey: most urgent first when sorted ascending."""
    c = _conditions(b)
    return case((c["grey"], 3), (c["red"], 0), (c["yellow"], 1), else_=2)
