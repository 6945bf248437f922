"""签收 (issue 17): plan_task.acknowledged_at, filled for tasks that already have progress (the first update's
time, so the first sweep after the upgrade sends no flood of 待签收 reminders); the reminder rules' two
thresholds for them; the notice kind unacknowledged.

Revision ID: 0600
Revises: 0650
"""
import sqlalchemy as sa
from alembic import op

from tracker.models.migrating import copying_tables, replace_check

revision = "0600"
down_revision = "0650"
branch_labels = None
depends_on = None

KINDS = ["due_soon", "due_today", "overdue", "escalation", "stalled", "review_waiting", "assigned", "decision",
         "urge", "due_recomputed", "carried_over", "digest", "supervision", "supervision_overdue", "report_returned",
         "directive_issued", "directive_accepted", "directive_declined"]  # as migration 0640 left them
TABLES = ("notification", "delivery")


def upgrade():
    # Plain ALTER TABLE on both databases: nullable or defaulted columns need no table copy on SQLite.
    op.add_column("plan_task", sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("reminder_rule", sa.Column("unacknowledged_owner_after", sa.Integer(), nullable=False,
                                             server_default="1"))
    op.add_column("reminder_rule", sa.Column("unacknowledged_lead_after", sa.Integer(), nullable=False,
                                             server_default="3"))
    # Every earlier update counts here, a committee's 代报 too: the owner was working on the task already.
    op.execute("UPDATE plan_task SET acknowledged_at = (SELECT min(u.created_at) FROM progress_update u "
               "WHERE u.task_id = plan_task.id) "
               "WHERE acknowledged_at IS NULL "
               "AND EXISTS (SELECT 1 FROM progress_update u WHERE u.task_id = plan_task.id)")
    kinds = [*KINDS, "unacknowledged"]
    copying_tables(op, lambda: [replace_check(op, t, "kind_known", "kind", kinds) for t in TABLES])


def downgrade():
    op.execute("DELETE FROM delivery_item WHERE notification_id IN "
               "(SELECT id FROM notification WHERE kind = 'unacknowledged')")
    op.execute("DELETE FROM notification WHERE kind = 'unacknowledged'")
    op.execute("DELETE FROM delivery WHERE kind = 'unacknowledged'")  # a digest is kind 'digest': none here
    rules = sa.table("reminder_rule", sa.column("id", sa.Integer), sa.column("disabled_kinds", sa.JSON))
    bind = op.get_bind()
    for row_id, kinds in bind.execute(sa.select(rules.c.id, rules.c.disabled_kinds)).all():
        if kinds and "unacknowledged" in kinds:  # a kind the older code would refuse to save again
            bind.execute(rules.update().where(rules.c.id == row_id)
                         .values(disabled_kinds=[k for k in kinds if k != "unacknowledged"]))
    copying_tables(op, lambda: [replace_check(op, t, "kind_known", "kind", KINDS) for t in TABLES])
    # DROP COLUMN: PostgreSQL, and SQLite from 3.35 (the columns are in no index or constraint).
    for table, column in (("reminder_rule", "unacknowledged_lead_after"),
                          ("reminder_rule", "unacknowledged_owner_after"), ("plan_task", "acknowledged_at")):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
