"""Reminders: notifications, deliveries, sweep heartbeat, rules, channels, calendar overrides, recurring tasks.

Revision ID: 0100
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0100"
down_revision = "0002"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("key_date", sa.Date(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("for_date", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("read_at", TZ, nullable=True),
        sa.ForeignKeyConstraint(["recipient_id"], ["user_account.id"], ondelete="CASCADE",
                                name="fk_notification_recipient_id_user_account"),
        sa.ForeignKeyConstraint(["task_id"], ["plan_task.id"], ondelete="CASCADE",
                                name="fk_notification_task_id_plan_task"),
        sa.ForeignKeyConstraint(["actor_id"], ["user_account.id"], ondelete="SET NULL",
                                name="fk_notification_actor_id_user_account"),
        sa.PrimaryKeyConstraint("id", name="pk_notification"),
        sa.UniqueConstraint("recipient_id", "task_id", "kind", "key_date", "source_id", name="uq_notification_key"),
    )
    op.create_index("ix_notification_recipient_read", "notification", ["recipient_id", "read_at", "id"])
    op.create_index("ix_notification_task_kind", "notification", ["task_id", "kind", "key_date"])

    op.create_table(
        "delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("key_date", sa.Date(), nullable=False),
        sa.Column("notification_ref", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("queued_at", TZ, nullable=True),
        sa.Column("claimed_at", TZ, nullable=True),
        sa.Column("next_attempt_at", TZ, nullable=True),
        sa.Column("sent_at", TZ, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(["recipient_id"], ["user_account.id"], ondelete="CASCADE",
                                name="fk_delivery_recipient_id_user_account"),
        sa.ForeignKeyConstraint(["org_id"], ["organisation.id"], name="fk_delivery_org_id_organisation"),
        sa.PrimaryKeyConstraint("id", name="pk_delivery"),
        sa.UniqueConstraint("recipient_id", "channel", "kind", "key_date", "notification_ref",
                            name="uq_delivery_key"),
    )
    op.create_index("ix_delivery_status_next", "delivery", ["status", "next_attempt_at"])
    op.create_index("ix_delivery_channel_status", "delivery", ["channel", "status"])
    op.create_index("ix_delivery_org_id", "delivery", ["org_id"])

    op.create_table(
        "delivery_item",
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("notification_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["delivery_id"], ["delivery.id"], ondelete="CASCADE",
                                name="fk_delivery_item_delivery_id_delivery"),
        sa.ForeignKeyConstraint(["notification_id"], ["notification.id"], ondelete="CASCADE",
                                name="fk_delivery_item_notification_id_notification"),
        sa.PrimaryKeyConstraint("delivery_id", "notification_id", name="pk_delivery_item"),
    )
    op.create_index("ix_delivery_item_notification_id", "delivery_item", ["notification_id"])

    op.create_table(
        "reminder_sweep",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("for_date", sa.Date(), nullable=False),
        sa.Column("started_at", TZ, nullable=False),
        sa.Column("finished_at", TZ, nullable=True),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_reminder_sweep"),
    )
    op.create_index("ix_reminder_sweep_finished_at", "reminder_sweep", ["finished_at"])

    op.create_table(
        "reminder_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("due_soon_workdays", sa.Integer(), nullable=False),
        sa.Column("escalate_lead_after", sa.Integer(), nullable=False),
        sa.Column("escalate_committee_after", sa.Integer(), nullable=False),
        sa.Column("stalled_days", sa.Integer(), nullable=False),
        sa.Column("stalled_repeat_days", sa.Integer(), nullable=False),
        sa.Column("review_wait_workdays", sa.Integer(), nullable=False),
        sa.Column("digest_time", sa.String(5), nullable=False),
        sa.Column("disabled_kinds", sa.JSON(), nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organisation.id"], ondelete="CASCADE",
                                name="fk_reminder_rule_org_id_organisation"),
        sa.PrimaryKeyConstraint("id", name="pk_reminder_rule"),
        sa.UniqueConstraint("org_id", name="uq_reminder_rule_org_id"),
    )

    op.create_table(
        "org_channels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("is_email_on", sa.Boolean(), nullable=False),
        sa.Column("wecom_webhook", sa.String(500), nullable=False),
        sa.Column("dingtalk_webhook", sa.String(500), nullable=False),
        sa.Column("dingtalk_secret", sa.String(200), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organisation.id"], ondelete="CASCADE",
                                name="fk_org_channels_org_id_organisation"),
        sa.PrimaryKeyConstraint("id", name="pk_org_channels"),
        sa.UniqueConstraint("org_id", name="uq_org_channels_org_id"),
    )

    op.create_table(
        "user_channels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("is_email_on", sa.Boolean(), nullable=False),
        sa.Column("is_wecom_on", sa.Boolean(), nullable=False),
        sa.Column("is_dingtalk_on", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="CASCADE",
                                name="fk_user_channels_user_id_user_account"),
        sa.PrimaryKeyConstraint("id", name="pk_user_channels"),
        sa.UniqueConstraint("user_id", name="uq_user_channels_user_id"),
    )

    op.create_table(
        "calendar_override",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("is_workday", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(100), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["user_account.id"], ondelete="SET NULL",
                                name="fk_calendar_override_created_by_id_user_account"),
        sa.PrimaryKeyConstraint("id", name="pk_calendar_override"),
        sa.UniqueConstraint("day", name="uq_calendar_override_day"),
    )

    op.create_table(
        "calendar_year",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("confirmed_by_id", sa.Integer(), nullable=True),
        sa.Column("confirmed_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(["confirmed_by_id"], ["user_account.id"], ondelete="SET NULL",
                                name="fk_calendar_year_confirmed_by_id_user_account"),
        sa.PrimaryKeyConstraint("year", name="pk_calendar_year"),
    )

    op.create_table(
        "recurring_task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("report_section", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=True),
        sa.Column("unit", sa.String(100), nullable=False),
        sa.Column("frequency", sa.String(10), nullable=False),
        sa.Column("due_workdays", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], ondelete="CASCADE", name="fk_recurring_task_plan_id_plan"),
        sa.ForeignKeyConstraint(["org_id"], ["organisation.id"], name="fk_recurring_task_org_id_organisation"),
        sa.ForeignKeyConstraint(["theme_id"], ["plan_theme.id"], name="fk_recurring_task_theme_id_plan_theme"),
        sa.ForeignKeyConstraint(["owner_id"], ["user_account.id"], name="fk_recurring_task_owner_id_user_account"),
        sa.ForeignKeyConstraint(["lead_id"], ["user_account.id"], name="fk_recurring_task_lead_id_user_account"),
        sa.PrimaryKeyConstraint("id", name="pk_recurring_task"),
    )
    op.create_index("ix_recurring_task_plan_id", "recurring_task", ["plan_id"])

    op.create_table(
        "recurring_instance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recurring_id", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("is_provisional", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["recurring_id"], ["recurring_task.id"], ondelete="CASCADE",
                                name="fk_recurring_instance_recurring_id_recurring_task"),
        sa.ForeignKeyConstraint(["task_id"], ["plan_task.id"], ondelete="CASCADE",
                                name="fk_recurring_instance_task_id_plan_task"),
        sa.PrimaryKeyConstraint("id", name="pk_recurring_instance"),
        sa.UniqueConstraint("recurring_id", "period_start", name="uq_recurring_instance_recurring_id_period_start"),
    )
    op.create_index("ix_recurring_instance_task_id", "recurring_instance", ["task_id"])
    op.create_index("ix_recurring_instance_is_provisional", "recurring_instance", ["is_provisional"])


def downgrade():
    for table in ("recurring_instance", "recurring_task", "calendar_year", "calendar_override", "user_channels",
                  "org_channels", "reminder_rule", "reminder_sweep", "delivery_item", "delivery", "notification"):
        op.drop_table(table)
