"""Set-based statements shared by the sweep: INSERT … SELECT … ON CONFLICT DO NOTHING on either database."""
from datetime import date, datetime

from sqlalchemy import Date, Integer, String, literal

from tracker.extensions import db
from tracker.models.types import UTCDateTime
from tracker.services.infra.inserts import dialect_insert

OPEN_STATUSES = ("assigned", "in_progress", "completion_requested")


def insert_ignoring(table, columns: list[str], select_stmt) -> int:
    """Insert the selected rows, skipping any whose unique key exists; returns the rows added."""
    stmt = dialect_insert(table).from_select(columns, select_stmt, include_defaults=False).on_conflict_do_nothing()
    # Counted from RETURNING: psycopg reports no rowcount for INSERT … SELECT … ON CONFLICT.
    return len(db.session.execute(stmt.returning(*table.primary_key.columns)).all())


def lit_date(value: date):
    return literal(value, Date)


def lit_str(value: str):
    return literal(value, String)


def lit_int(value: int):
    return literal(value, Integer)


def lit_moment(value: datetime):
    return literal(value, UTCDateTime)
