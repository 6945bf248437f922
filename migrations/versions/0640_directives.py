"""上级交办 (issue 17.5): work a county's committee issues to a township, and notices about it that no task
carries yet (directive_id says which work; notification.task_id may be empty since 0630), with their three
notice kinds.

Revision ID: 0640
Revises: 0630
"""
import sqlalchemy as sa
from alembic import op

from tracker.models.migrating import copying_tables, replace_check

revision = "0640"
down_revision = "0630"
branch_labels = None
depends_on = None

KINDS = ["due_soon", "due_today", "overdue", "escalation", "stalled", "review_waiting", "assigned", "decision",
         "urge", "due_recomputed", "digest", "carried_over", "supervision", "supervision_overdue",
         "report_returned"]  # as migration 0630 left them
NEW_KINDS = ["directive_issued", "directive_accepted", "directive_declined"]


def upgrade():
    op.create_table(
        "directive",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("issuer_org_id", sa.Integer(),
                  sa.ForeignKey("organisation.id", name="fk_directive_issuer_org_id_organisation"), nullable=False),
        sa.Column("target_org_id", sa.Integer(),
                  sa.ForeignKey("organisation.id", name="fk_directive_target_org_id_organisation"), nullable=False),
        sa.Column("issued_by_id", sa.Integer(),
                  sa.ForeignKey("user_account.id", name="fk_directive_issued_by_id_user_account"), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("report_section", sa.Integer()),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("task_id", sa.Integer(), sa.ForeignKey("plan_task.id", name="fk_directive_task_id_plan_task",
                                                         ondelete="SET NULL")),
        sa.Column("decided_by_id", sa.Integer(),
                  sa.ForeignKey("user_account.id", name="fk_directive_decided_by_id_user_account")),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        sa.Column("decline_reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("task_id", name="uq_directive_task_id"),
        sa.CheckConstraint("status IN ('pending', 'accepted', 'declined')", name="status_known"),
    )
    op.create_index("ix_directive_target_status", "directive", ["target_org_id", "status", "id"])
    op.create_index("ix_directive_issuer_status", "directive", ["issuer_org_id", "status", "id"])

    def change():
        with op.batch_alter_table("notification") as batch:
            batch.add_column(sa.Column("directive_id", sa.Integer(), nullable=True))
            batch.create_foreign_key("fk_notification_directive_id_directive", "directive", ["directive_id"], ["id"],
                                     ondelete="CASCADE")
        replace_check(op, "notification", "kind_known", "kind", [*KINDS, *NEW_KINDS])
        replace_check(op, "delivery", "kind_known", "kind", [*KINDS, *NEW_KINDS])
    copying_tables(op, change)


def downgrade():
    kinds = ", ".join(f"'{k}'" for k in NEW_KINDS)
    op.execute("DELETE FROM delivery_item WHERE notification_id IN "
               f"(SELECT id FROM notification WHERE kind IN ({kinds}) OR directive_id IS NOT NULL)")
    op.execute(f"DELETE FROM delivery WHERE kind IN ({kinds})")
    op.execute(f"DELETE FROM notification WHERE kind IN ({kinds}) OR directive_id IS NOT NULL")

    def change():
        with op.batch_alter_table("notification") as batch:
            batch.drop_constraint("fk_notification_directive_id_directive", type_="foreignkey")
            batch.drop_column("directive_id")
        replace_check(op, "notification", "kind_known", "kind", KINDS)
        replace_check(op, "delivery", "kind_known", "kind", KINDS)
    copying_tables(op, change)
    op.drop_index("ix_directive_issuer_status", "directive")
    op.drop_index("ix_directive_target_status", "directive")
    op.drop_table("directive")
