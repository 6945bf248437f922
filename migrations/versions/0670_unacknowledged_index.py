"""The tasks waiting for 签收, indexed (issue 19): the dashboard's 未签收 owners, units and total read the few
waiting tasks instead of scanning every task of the county three times.

Revision ID: 0670
Revises: 0600
"""
import sqlalchemy as sa
from alembic import op

revision = "0670"
down_revision = "0600"
branch_labels = None
depends_on = None

# Must match tracker.models.task.UNACKNOWLEDGED_PREDICATE, which tracker.services.tasks.acknowledgement.pending_sql
# implies: the database uses a partial index only for a query whose conditions imply its predicate.
WAITING = ("acknowledged_at IS NULL AND owner_id IS NOT NULL "
           "AND status NOT IN ('done', 'cancelled', 'carried_over')")


def upgrade():
    op.create_index("ix_plan_task_unacknowledged", "plan_task", ["plan_id", "org_id"],
                    postgresql_where=sa.text(WAITING), sqlite_where=sa.text(WAITING))


def downgrade():
    op.drop_index("ix_plan_task_unacknowledged", table_name="plan_task")
