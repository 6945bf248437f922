"""The traffic light (红黄绿灯) of a task, in Python for one task and in SQL for lists, filters and counts.

grey closed; none (待交办) open but without an owner or a due date, so nobody is yet held to it; then red
overdue, yellow due within the organisation's due-soon working days or stalled, green otherwise. Both halves
decide through tracker.services.tasks.deadlines with the organisation's thresholds (tracker.services.tasks.thresholds); tests/test_rule_agreement.py checks they agree.
"""
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from sqlalchemy import and_, case, literal, not_, or_, true

from tracker.models import PlanTask, task_is_closed
from tracker.services.infra.caching import request_cache
from tracker.services.tasks import deadlines
from tracker.services.tasks.thresholds import custom_rules, defaults, rules_for

LIGHTS = ("red", "yellow", "green", "none", "grey")
URGENCY = ("red", "yellow", "none", "green", "grey")  # most urgent first: a task to assign comes before calm ones
LIGHT_LABELS = {"red": "逾期", "yellow": "临期/停滞", "green": "正常", "none": "待交办", "grey": "已结束"}
LAMPS = {"red": "红灯", "yellow": "黄灯", "green": "绿灯"}  # a closed task has no lamp, only 已结束


def light_label(light: str) -> str:
    """The light as a spreadsheet or a printed ledger names it: 红灯(逾期) … 已结束."""
    return f"{LAMPS[light]}({LIGHT_LABELS[light]})" if light in LAMPS else LIGHT_LABELS[light]


def is_overdue(task: PlanTask, today: date) -> bool:
    """Open and past its effective due date."""
    return not task.is_closed and deadlines.is_past_due(task.due_date, today)


def light(task: PlanTask, today: date) -> str:
    """The light of one task today."""
    if task.is_closed:
        return "grey"
    if task.owner_id is None or task.due_date is None:
        return "none"
    if deadlines.is_past_due(task.due_date, today):
        return "red"
    rules = rules_for(task.org_id)
    if deadlines.is_due_within(task.due_date, today, rules.due_soon_workdays) \
            or deadlines.is_stalled(deadlines.last_activity(task), today, rules.stalled_days):
        return "yellow"
    return "green"


@dataclass(frozen=True)
class Thresholds:
    """One set of limits in use, the organisations it applies to, and the bounds it gives today."""

    org_ids: tuple | None  # None: every organisation without rules of its own
    due_soon_until: date  # due on or before this (and not overdue) is "due soon"
    stalled_since: datetime  # last activity before this is "stalled"


@dataclass(frozen=True)
class LightBounds:
    """The bounds the SQL compares with, worked out once per request in Python (China's calendar)."""

    today: date
    overdue_before: date
    thresholds: tuple  # of Thresholds, the defaults last
    custom_org_ids: tuple  # organisations with thresholds of their own


def bounds(today: date) -> LightBounds:
    """The bounds for today, per distinct set of thresholds in use (worked out once per request)."""
    cache = request_cache().setdefault("light_bounds", {})
    if today not in cache:
        cache[today] = _bounds(today)
    return cache[today]


def _thresholds(today: date, org_ids, due_soon_workdays: int, stalled_days: int) -> Thresholds:
    return Thresholds(org_ids, deadlines.due_soon_until(today, due_soon_workdays),
                      deadlines.stalled_since(today, stalled_days))


def _bounds(today: date) -> LightBounds:
    custom, default = custom_rules(), defaults()
    by_limits: dict = {}
    for org_id, rules in custom.items():
        by_limits.setdefault((rules.due_soon_workdays, rules.stalled_days), []).append(org_id)
    parts = [_thresholds(today, tuple(sorted(ids)), soon, stalled) for (soon, stalled), ids in sorted(by_limits.items())]
    parts.append(_thresholds(today, None, default.due_soon_workdays, default.stalled_days))
    return LightBounds(today, deadlines.overdue_before(today), tuple(parts), tuple(sorted(custom)))


# The SQL expressions are built once per set of bounds (a day's), not for every list a page shows.
@lru_cache(maxsize=64)
def _conditions(b: LightBounds) -> dict:
    custom_ids = b.custom_org_ids
    closed = task_is_closed()
    is_open = not_(closed)
    unheld = and_(is_open, or_(PlanTask.owner_id.is_(None), PlanTask.due_date.is_(None)))
    held = and_(is_open, PlanTask.owner_id.is_not(None), PlanTask.due_date.is_not(None))
    red = and_(held, PlanTask.due_date < b.overdue_before)
    not_red = PlanTask.due_date >= b.overdue_before
    last = deadlines.last_activity_sql()
    warns, calms = [], []
    for t in b.thresholds:
        scope = PlanTask.org_id.in_(t.org_ids) if t.org_ids is not None else (
            PlanTask.org_id.not_in(custom_ids) if custom_ids else true())
        warns.append(and_(scope, or_(PlanTask.due_date <= t.due_soon_until, last < t.stalled_since)))
        calms.append(and_(scope, PlanTask.due_date > t.due_soon_until, last >= t.stalled_since))
    yellow = and_(held, not_red, or_(*warns))
    green = and_(held, not_red, or_(*calms))
    return {"grey": closed, "none": unheld, "red": red, "yellow": yellow, "green": green}


def light_condition(light: str, b: LightBounds):
    """A WHERE condition selecting tasks of one light."""
    return _conditions(b)[light]


@lru_cache(maxsize=64)
def light_column(b: LightBounds):
    """A CASE expression giving each task's light as text (for GROUP BY)."""
    c = _conditions(b)
    return case((c["grey"], literal("grey")), (c["none"], literal("none")), (c["red"], literal("red")),
                (c["yellow"], literal("yellow")), else_=literal("green"))


@lru_cache(maxsize=64)
def urgency_column(b: LightBounds):
    """The light's place in URGENCY: most urgent first when sorted ascending."""
    c = _conditions(b)
    rank = URGENCY.index
    return case((c["grey"], rank("grey")), (c["none"], rank("none")), (c["red"], rank("red")),
                (c["yellow"], rank("yellow")), else_=rank("green"))
