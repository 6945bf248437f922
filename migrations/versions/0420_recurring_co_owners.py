"""Co-owners (协办人) of recurring tasks, copied onto each instance the sweep makes (issue 4).

Revision ID: 0420
Revises: 0300
"""
import sqlalchemy as sa
from alembic import op

revision = "0420"
down_revision = "0300"  # the lead re-chains after 0400 / 0410 if those land first
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "recurring_co_owner",
        sa.Column("recurring_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["recurring_id"], ["recurring_task.id"],
                                name=op.f("fk_recurring_co_owner_recurring_id_recurring_task"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"],
                                name=op.f("fk_recurring_co_owner_user_id_user_account")),
        sa.PrimaryKeyConstraint("recurring_id", "user_id", name=op.f("pk_recurring_co_owner")),
    )
    with op.batch_alter_table("recurring_co_owner", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recurring_co_owner_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("recurring_co_owner", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recurring_co_owner_user_id"))
    op.drop_table("recurring_co_owner")
