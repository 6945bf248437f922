"""Report 报送 and 退回 (issue 17.6): numbered, frozen submissions, and a notice kind about no task.

Revision ID: 0630
Revises: 0610
"""
import sqlalchemy as sa
from alembic import op

from tracker.models.migrating import copying_tables, replace_check

revision = "0630"
down_revision = "0610"
branch_labels = None
depends_on = None

KINDS = ["due_soon", "due_today", "overdue", "escalation", "stalled", "review_waiting", "assigned", "decision",
         "urge", "due_recomputed", "carried_over", "digest",
         "supervision", "supervision_overdue"]  # as migration 0610 left them
NEW_KINDS = [*KINDS, "report_returned"]


def _check(kinds) -> str:
    return f"kind IN ({', '.join(repr(k) for k in kinds)})"


def upgrade():
    op.create_table(
        "report_submission",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("org_id", sa.Integer(), sa.ForeignKey("organisation.id",
                                                        name="fk_report_submission_org_id_organisation"),
                  nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("is_late", sa.Boolean(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("sections", sa.JSON(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("docx", sa.LargeBinary(), nullable=False),
        sa.Column("submitted_by_id", sa.Integer(), sa.ForeignKey(
            "user_account.id", name="fk_report_submission_submitted_by_id_user_account", ondelete="SET NULL")),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), sa.ForeignKey(
            "user_account.id", name="fk_report_submission_decided_by_id_user_account", ondelete="SET NULL")),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.UniqueConstraint("org_id", "year", "version", name="uq_report_submission_version"),
        sa.CheckConstraint("status IN ('submitted', 'returned', 'accepted')", name="ck_report_submission_status_known"),
    )
    op.create_index("ix_report_submission_year_org", "report_submission", ["year", "org_id"])

    def change():
        with op.batch_alter_table("notification") as batch:
            batch.alter_column("task_id", existing_type=sa.Integer(), nullable=True)
            batch.drop_constraint("kind_known", type_="check")
            batch.create_check_constraint("kind_known", _check(NEW_KINDS))
        replace_check(op, "delivery", "kind_known", "kind", NEW_KINDS)
    copying_tables(op, change)


def downgrade():
    op.execute("DELETE FROM delivery_item WHERE notification_id IN "
               "(SELECT id FROM notification WHERE kind = 'report_returned' OR task_id IS NULL)")
    op.execute("DELETE FROM delivery WHERE kind = 'report_returned'")
    op.execute("DELETE FROM notification WHERE kind = 'report_returned' OR task_id IS NULL")

    def change():
        with op.batch_alter_table("notification") as batch:
            batch.alter_column("task_id", existing_type=sa.Integer(), nullable=False)
            batch.drop_constraint("kind_known", type_="check")
            batch.create_check_constraint("kind_known", _check(KINDS))
        replace_check(op, "delivery", "kind_known", "kind", KINDS)
    copying_tables(op, change)
    op.drop_index("ix_report_submission_year_org", "report_submission")
    op.drop_table("report_submission")
