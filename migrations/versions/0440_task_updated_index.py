"""Tasks by last change (issue 7): the dashboard's cache key reads the newest change off this index.

Revision ID: 0440
Revises: 0430
"""
from alembic import op

revision = "0440"
down_revision = "0430"
branch_labels = None
depends_on = None


def upgrade():
    # max(updated_at) says whether any task changed since a county's breakdowns were counted; it also serves
    # the lists' "最近更新在前" order.
    op.create_index("ix_plan_task_updated_at", "plan_task", ["updated_at"])


def downgrade():
    op.drop_index("ix_plan_task_updated_at", table_name="plan_task")
