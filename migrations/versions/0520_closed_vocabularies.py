"""Closed vocabularies in the database: CHECK constraints on task and request statuses, roles and notice kinds.

The values are the models' own (tracker.models: TaskStatus, RequestKind, RequestStatus, Role, NoticeKind,
DELIVERY_STATUSES) as they are when this runs. SQLite adds a constraint only by copying the table (Alembic's
batch mode): foreign keys are off meanwhile (dropping the old plan_task would otherwise delete, or refuse to
delete, the rows that point at it) and checked afterwards, and plan_task's expression index, which the copy
cannot carry, is made again. A failed run on SQLite may leave a table _alembic_tmp_<name>: drop it, then retry.

Revision ID: 0520
Revises: 0510
"""
import sqlalchemy as sa
from alembic import op

revision = "0520"
down_revision = "0510"
branch_labels = None
depends_on = None

OPEN = "status NOT IN ('done', 'cancelled', 'carried_over')"  # as in migration 0430


def _vocabularies():
    from tracker.models import NOTICE_KINDS, ROLES, STATUSES, RequestKind, RequestStatus
    from tracker.models.reminders import DELIVERY_STATUSES
    return {
        "plan_task": [("status_known", "status", STATUSES)],
        "task_request": [("kind_known", "kind", [k.value for k in RequestKind]),
                         ("status_known", "status", [s.value for s in RequestStatus])],
        "user_account": [("role_known", "role", ROLES)],
        "notification": [("kind_known", "kind", NOTICE_KINDS)],
        "delivery": [("kind_known", "kind", NOTICE_KINDS), ("status_known", "status", DELIVERY_STATUSES)],
    }


def _copying_tables(change) -> None:
    """Run `change` with SQLite's foreign keys off (a table copy drops the original), then check them."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute("PRAGMA foreign_keys=OFF")  # migrations run outside a transaction on SQLite, so this holds
    change()
    if sqlite:
        broken = op.get_bind().exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"foreign keys broken by the table copy: {broken[:5]}")
        op.execute("DROP INDEX IF EXISTS ix_plan_task_open_activity")
        op.create_index("ix_plan_task_open_activity", "plan_task",
                        [sa.text("coalesce(last_progress_at, assigned_at, created_at)")], sqlite_where=sa.text(OPEN))
        op.execute("PRAGMA foreign_keys=ON")


def upgrade():
    def add():
        for table, checks in _vocabularies().items():
            with op.batch_alter_table(table) as batch:
                for name, column, values in checks:
                    batch.create_check_constraint(name, f"{column} IN ({', '.join(repr(v) for v in values)})")
    _copying_tables(add)


def downgrade():
    def drop():
        for table, checks in _vocabularies().items():
            with op.batch_alter_table(table) as batch:
                for name, _, _ in checks:
                    batch.drop_constraint(name, type_="check")  # the naming convention adds ck_<table>_
    _copying_tables(drop)
