"""督办单 (issue 17.3): the supervision notice and its per-organisation, per-year counter, organisations' short
names for its number, and the notice kinds supervision (issued) and supervision_overdue (escalated).

Revision ID: 0610
Revises: 0530
"""
import sqlalchemy as sa
from alembic import op

from tracker.models.migrating import copying_tables, replace_check

revision = "0610"
down_revision = "0530"
branch_labels = None
depends_on = None

KINDS = ["due_soon", "due_today", "overdue", "escalation", "stalled", "review_waiting", "assigned", "decision",
         "urge", "due_recomputed", "digest", "carried_over"]  # as migration 0550 left them
NEW_KINDS = ["supervision", "supervision_overdue"]
TABLES = ("notification", "delivery")


def upgrade():
    # Plain ADD COLUMN (nullable): SQLite does it in place. Empty means "the name's first character".
    op.add_column("organisation", sa.Column("short_name", sa.String(10), nullable=True))
    op.create_table(
        "supervision",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("task_id", sa.Integer(), sa.ForeignKey("plan_task.id", ondelete="CASCADE",
                                                         name="fk_supervision_task_id_plan_task"), nullable=False),
        sa.Column("issuer_org_id", sa.Integer(), sa.ForeignKey(
            "organisation.id", name="fk_supervision_issuer_org_id_organisation"), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), sa.ForeignKey(
            "user_account.id", name="fk_supervision_issued_by_id_user_account"), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(40), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("respond_within_days", sa.Integer(), nullable=False),
        sa.Column("respond_by", sa.Date(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True)),
        sa.Column("answered_by_id", sa.Integer(), sa.ForeignKey(
            "user_account.id", name="fk_supervision_answered_by_id_user_account")),
        sa.Column("answer_note", sa.Text(), nullable=False),
        sa.UniqueConstraint("issuer_org_id", "year", "seq", name="uq_supervision_number"),
        sa.CheckConstraint("state IN ('open', 'answered')", name="state_known"),
    )
    op.create_index("ix_supervision_task_id", "supervision", ["task_id"])
    op.create_index("ix_supervision_state_respond", "supervision", ["state", "respond_by"])
    op.create_table(
        "supervision_counter",
        sa.Column("org_id", sa.Integer(), sa.ForeignKey("organisation.id", ondelete="CASCADE",
                                                        name="fk_supervision_counter_org_id_organisation"),
                  primary_key=True),
        sa.Column("year", sa.Integer(), primary_key=True),
        sa.Column("last_seq", sa.Integer(), nullable=False),
    )
    kinds = [*KINDS, *NEW_KINDS]
    copying_tables(op, lambda: [replace_check(op, t, "kind_known", "kind", kinds) for t in TABLES])


def downgrade():
    quoted = ", ".join(f"'{k}'" for k in NEW_KINDS)
    op.execute("DELETE FROM delivery_item WHERE notification_id IN "
               f"(SELECT id FROM notification WHERE kind IN ({quoted}))")
    op.execute(f"DELETE FROM delivery WHERE kind IN ({quoted})")
    op.execute(f"DELETE FROM notification WHERE kind IN ({quoted})")
    copying_tables(op, lambda: [replace_check(op, t, "kind_known", "kind", KINDS) for t in TABLES])
    op.drop_table("supervision_counter")
    op.drop_index("ix_supervision_state_respond", "supervision")
    op.drop_index("ix_supervision_task_id", "supervision")
    op.drop_table("supervision")
    # DROP COLUMN: PostgreSQL, and SQLite from 3.35 (the column is in no index or constraint).
    op.execute("ALTER TABLE organisation DROP COLUMN short_name")
