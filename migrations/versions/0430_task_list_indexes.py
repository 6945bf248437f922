"""Indexes for county and province size (issue 7): tasks and open tasks by due date, open tasks by activity.

Revision ID: 0430
Revises: 0420
"""
import sqlalchemy as sa
from alembic import op

revision = "0430"
down_revision = "0420"  # the lead re-chains after 0400 / 0410 if those land later
branch_labels = None
depends_on = None

# Must match tracker.models.task.OPEN_PREDICATE (CLOSED_STATUSES): a query's `status NOT IN (…)`
# lets the database use the index only when it implies this predicate.
OPEN = "status NOT IN ('done', 'cancelled', 'carried_over')"


def upgrade():
    # The overdue list (API ?overdue=true, the dashboard's red list) walks the open tasks in due-date order and
    # stops after one page, instead of sorting every overdue task; org_id lets counts read the index alone.
    op.create_index("ix_plan_task_open_due", "plan_task", ["due_date", "id", "org_id"],
                    postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))
    # The API's task list in its order (due date, nulls last, then id): a page is read off the index instead of
    # sorting every visible task (on disk at county size).
    op.create_index("ix_plan_task_due_id", "plan_task", ["due_date", "id"])
    # The reminder sweep's stalled tasks (open, no activity for N days) from the index, not a scan of every task.
    op.create_index("ix_plan_task_open_activity", "plan_task",
                    [sa.text("coalesce(last_progress_at, assigned_at, created_at)")],
                    postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))


def downgrade():
    op.drop_index("ix_plan_task_open_activity", table_name="plan_task")
    op.drop_index("ix_plan_task_due_id", table_name="plan_task")
    op.drop_index("ix_plan_task_open_due", table_name="plan_task")
