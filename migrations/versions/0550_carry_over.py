"""The carry-over as a reviewed, undoable step (issue 16): its record, and the notice kind carried_over.

Revision ID: 0550
Revises: 0520
"""
import sqlalchemy as sa
from alembic import op

from tracker.models.migrating import copying_tables, replace_check

revision = "0550"
down_revision = "0520"
branch_labels = None
depends_on = None

KINDS = ["due_soon", "due_today", "overdue", "escalation", "stalled", "review_waiting", "assigned", "decision",
         "urge", "due_recomputed", "digest"]  # as migration 0520 left them
TABLES = ("notification", "delivery")


def upgrade():
    op.create_table(
        "carry_over",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("org_id", sa.Integer(), sa.ForeignKey("organisation.id", name="fk_carry_over_org_id_organisation"),
                  nullable=False),
        sa.Column("from_plan_id", sa.Integer(), sa.ForeignKey("plan.id", name="fk_carry_over_from_plan_id_plan"),
                  nullable=False),
        sa.Column("to_plan_id", sa.Integer(), sa.ForeignKey("plan.id", name="fk_carry_over_to_plan_id_plan"),
                  nullable=False),
        sa.Column("actor_id", sa.Integer(), sa.ForeignKey("user_account.id",
                                                          name="fk_carry_over_actor_id_user_account")),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("entry_id", sa.Integer()),
        sa.Column("moved", sa.JSON(), nullable=False),
        sa.Column("undone_at", sa.DateTime(timezone=True)),
        sa.Column("undone_by_id", sa.Integer(), sa.ForeignKey("user_account.id",
                                                              name="fk_carry_over_undone_by_id_user_account")),
    )
    op.create_index("ix_carry_over_org_id", "carry_over", ["org_id"])
    kinds = [*KINDS, "carried_over"]
    copying_tables(op, lambda: [replace_check(op, t, "kind_known", "kind", kinds) for t in TABLES])


def downgrade():
    op.execute("DELETE FROM delivery_item WHERE notification_id IN "
               "(SELECT id FROM notification WHERE kind = 'carried_over')")
    op.execute("DELETE FROM delivery WHERE kind = 'carried_over'")
    op.execute("DELETE FROM notification WHERE kind = 'carried_over'")
    copying_tables(op, lambda: [replace_check(op, t, "kind_known", "kind", KINDS) for t in TABLES])
    op.drop_index("ix_carry_over_org_id", "carry_over")
    op.drop_table("carry_over")
