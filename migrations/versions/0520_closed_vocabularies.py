"""Closed vocabularies in the database: CHECK constraints on task and request statuses, roles and notice kinds.

The values are the models' own (tracker.models: TaskStatus, RequestKind, RequestStatus, Role, NoticeKind,
DELIVERY_STATUSES) as they are when this runs. SQLite adds a constraint only by copying the table (Alembic's
batch mode), which cannot carry plan_task's expression index along: it is made again afterwards.

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


def upgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, checks in _vocabularies().items():
        with op.batch_alter_table(table) as batch:
            for name, column, values in checks:
                batch.create_check_constraint(name, f"{column} IN ({', '.join(repr(v) for v in values)})")
    if sqlite:
        op.execute("DROP INDEX IF EXISTS ix_plan_task_open_activity")
        op.create_index("ix_plan_task_open_activity", "plan_task",
                        [sa.text("coalesce(last_progress_at, assigned_at, created_at)")], sqlite_where=sa.text(OPEN))


def downgrade():
    for table, checks in _vocabularies().items():
        with op.batch_alter_table(table) as batch:
            for name, _, _ in checks:
                batch.drop_constraint(f"ck_{table}_{name}", type_="check")
