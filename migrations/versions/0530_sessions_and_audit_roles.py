"""Issue 18: a password reset's calendar-feed notice waits on the user (feeds_rotated_at); on PostgreSQL the
audit trail refuses TRUNCATE too, which skips the row trigger of 0002.

Revision ID: 0530
Revises: 0520
"""
import sqlalchemy as sa
from alembic import op

revision = "0530"
down_revision = "0520"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("feeds_rotated_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("feeds_rotated_at")
