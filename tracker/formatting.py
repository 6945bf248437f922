"""Jinja filters: dates the Chinese way, times in the users' zone."""
from datetime import datetime

from flask import Flask

from tracker.services.calendar.clock import to_local
from tracker.services.validation import YEAR_MAX, YEAR_MIN


def cn_date(value) -> str:
    """2024年6月30日."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value)
    return f"{value.year}年{value.month}月{value.day}日"


def cn_datetime(value: datetime | None) -> str:
    """2024年6月30日 14:05 in Asia/Shanghai."""
    if value is None:
        return ""
    local = to_local(value)
    return f"{cn_date(local.date())} {local:%H:%M}"


def register(app: Flask) -> None:
    app.add_template_filter(cn_date, "cn_date")
    app.add_template_filter(cn_datetime, "cn_datetime")
    app.jinja_env.globals["has_view"] = lambda endpoint: endpoint in app.view_functions
    app.jinja_env.globals.update(YEAR_MIN=YEAR_MIN, YEAR_MAX=YEAR_MAX)
