"""Evidence-pack jobs record when they were handed to the broker and when a worker last showed progress, so a
job lost with its message or worker is handed out again (as reminder deliveries are).

Revision ID: 0510
Revises: 0500
"""
import sqlalchemy as sa
from alembic import op

revision = "0510"
down_revision = "0500"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("export_job") as batch:
        batch.add_column(sa.Column("queued_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("progress_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("export_job") as batch:
        batch.drop_column("progress_at")
        batch.drop_column("queued_at")
