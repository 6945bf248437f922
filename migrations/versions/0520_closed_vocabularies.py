"""Closed vocabularies in the database: CHECK constraints on task and request statuses, roles and notice kinds.

The values are the models' (tracker.models: TaskStatus, RequestKind, RequestStatus, Role, NoticeKind,
DELIVERY_STATUSES) as they were when it was written; tests/test_vocabularies.py checks the head against the models. SQLite adds a constraint only by copying the table (Alembic's
batch mode): foreign keys are off meanwhile (dropping the old plan_task would otherwise delete, or refuse to
delete, the rows that point at it) and checked afterwards, and plan_task's expression index, which the copy
cannot carry, is made again. A failed run on SQLite may leave a table _alembic_tmp_<name>: drop it, then retry.

Revision ID: 0520
Revises: 0510
"""
from alembic import op

from tracker.models.migrating import copying_tables

revision = "0520"
down_revision = "0510"
branch_labels = None
depends_on = None


KINDS = ["due_soon", "due_today", "overdue", "escalation", "stalled", "review_waiting", "assigned", "decision",
         "urge", "due_recomputed", "digest"]
DELIVERY_STATUSES = ["pending", "sent", "failed"]


def _vocabularies():
    # The values as they were when this migration was written; later migrations change them (0550).
    return {
        "plan_task": [("status_known", "status", ["draft", "assigned", "in_progress", "completion_requested", "done",
                                                  "cancelled", "carried_over"])],
        "task_request": [("kind_known", "kind", ["completion", "extension"]),
                         ("status_known", "status", ["pending", "approved", "returned", "closed"])],
        "user_account": [("role_known", "role", ["committee", "leader", "cadre", "viewer"])],
        "notification": [("kind_known", "kind", KINDS)],
        "delivery": [("kind_known", "kind", KINDS), ("status_known", "status", DELIVERY_STATUSES)],
    }


def upgrade():
    def add():
        for table, checks in _vocabularies().items():
            with op.batch_alter_table(table) as batch:
                for name, column, values in checks:
                    batch.create_check_constraint(name, f"{column} IN ({', '.join(repr(v) for v in values)})")
    copying_tables(op, add)


def downgrade():
    def drop():
        for table, checks in _vocabularies().items():
            with op.batch_alter_table(table) as batch:
                for name, _, _ in checks:
                    batch.drop_constraint(name, type_="check")  # the naming convention adds ck_<table>_
    copying_tables(op, drop)
