"""Users' 所在单位 and 职务, shown in the audit trail and the user list (issue 16).

Revision ID: 0570
Revises: 0560
"""
import sqlalchemy as sa
from alembic import op

revision = "0570"
down_revision = "0560"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN (nullable, no constraint): SQLite does it in place, no table copy.
    op.add_column("user_account", sa.Column("unit", sa.String(100), nullable=True))
    op.add_column("user_account", sa.Column("post", sa.String(100), nullable=True))


def downgrade():
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("post")
        batch.drop_column("unit")
