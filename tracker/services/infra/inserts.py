"""INSERT … ON CONFLICT DO NOTHING on either database the product runs on."""
from sqlalchemy.dialects import postgresql, sqlite

from tracker.extensions import db


def dialect_insert(table):
    """The current database's INSERT construct, which knows `on_conflict_do_nothing()` (core `insert` does not)."""
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)
