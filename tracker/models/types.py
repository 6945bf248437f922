"""Column types and constraints shared by the models, and the one clock they read."""
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timezone

from sqlalchemy import CheckConstraint, DateTime
from sqlalchemy.types import TypeDecorator

_recorded_at: ContextVar[datetime | None] = ContextVar("recorded_at", default=None)


def utcnow() -> datetime:
    """The current instant, timezone-aware in UTC (or the instant being back-filled)."""
    return _recorded_at.get() or datetime.now(timezone.utc)


@contextmanager
def recorded_at(moment: datetime):
    """Record what happens inside as having happened at `moment` (loading a past year's history)."""
    token = _recorded_at.set(moment.astimezone(timezone.utc))
    try:
        yield
    finally:
        _recorded_at.reset(token)


class UTCDateTime(TypeDecorator):
    """Timestamps stored in UTC and always read back timezone-aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime; use tracker.models.types.utcnow()")
            value = value.astimezone(timezone.utc)
            if dialect.name == "sqlite":
                value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


def one_of(column: str, values, name: str) -> CheckConstraint:
    """A CHECK constraint keeping a text column to a closed vocabulary (the values are our own constants)."""
    return CheckConstraint(f"{column} IN ({', '.join(repr(str(v)) for v in values)})", name=name)
