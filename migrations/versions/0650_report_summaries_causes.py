"""The committee's own words on the report page (issue 15): a 报告摘要 per unfinished task and a 原因 per
shortcoming of part 二, kept on the draft so that every regeneration writes them in.

Revision ID: 0650
Revises: 0640
"""
import sqlalchemy as sa
from alembic import op

revision = "0650"
down_revision = "0640"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN (nullable JSON, no constraint): SQLite does it in place, no table copy.
    op.add_column("report_draft", sa.Column("summaries", sa.JSON(), nullable=True))
    op.add_column("report_draft", sa.Column("causes", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("report_draft") as batch:
        batch.drop_column("causes")
        batch.drop_column("summaries")
