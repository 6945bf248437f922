"""The annual report: figure catalogue, baselines, task targets, report templates, drafts and versions.

Revision ID: 0200
Revises: 0100
"""
import sqlalchemy as sa
from alembic import op

revision = "0200"
down_revision = "0100"
branch_labels = None
depends_on = None

UTC = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "metric_definition",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("unit", sa.String(20), nullable=False),
        sa.Column("description", sa.String(500), nullable=False),
        sa.Column("report_section", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organisation.id"], name="fk_metric_definition_org_id_organisation"),
        sa.PrimaryKeyConstraint("id", name="pk_metric_definition"),
        sa.UniqueConstraint("org_id", "name", "unit", name="uq_metric_definition_org_id_name_unit"),
    )
    op.create_index("ix_metric_definition_org_id", "metric_definition", ["org_id"])

    op.create_table(
        "baseline_figure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("unit", sa.String(20), nullable=False),
        sa.Column("value", sa.Numeric(14, 2), nullable=False),
        sa.Column("is_approximate", sa.Boolean(), nullable=False),
        sa.Column("report_section", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(500), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organisation.id"], name="fk_baseline_figure_org_id_organisation"),
        sa.ForeignKeyConstraint(["created_by_id"], ["user_account.id"],
                                name="fk_baseline_figure_created_by_id_user_account"),
        sa.PrimaryKeyConstraint("id", name="pk_baseline_figure"),
        sa.UniqueConstraint("org_id", "year", "name", "unit", name="uq_baseline_figure_org_id_year_name_unit"),
    )
    op.create_index("ix_baseline_figure_org_id", "baseline_figure", ["org_id"])

    op.create_table(
        "task_target",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("unit", sa.String(20), nullable=False),
        sa.Column("value", sa.Numeric(14, 2), nullable=False),
        sa.ForeignKeyConstraint(["task_id"], ["plan_task.id"], name="fk_task_target_task_id_plan_task",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_task_target"),
        sa.UniqueConstraint("task_id", "name", "unit", name="uq_task_target_task_id_name_unit"),
    )
    op.create_index("ix_task_target_task_id", "task_target", ["task_id"])

    op.create_table(
        "report_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("addressee", sa.String(100), nullable=False),
        sa.Column("parts", sa.JSON(), nullable=False),
        sa.Column("sections", sa.JSON(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organisation.id"], name="fk_report_template_org_id_organisation"),
        sa.ForeignKeyConstraint(["updated_by_id"], ["user_account.id"],
                                name="fk_report_template_updated_by_id_user_account"),
        sa.PrimaryKeyConstraint("id", name="pk_report_template"),
        sa.UniqueConstraint("org_id", "year", name="uq_report_template_org_id_year"),
    )
    op.create_index("ix_report_template_org_id", "report_template", ["org_id"])

    op.create_table(
        "report_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("addressee", sa.String(100), nullable=False),
        sa.Column("parts", sa.JSON(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("generated_by_id", sa.Integer(), nullable=True),
        sa.Column("generated_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organisation.id"], name="fk_report_draft_org_id_organisation"),
        sa.ForeignKeyConstraint(["generated_by_id"], ["user_account.id"],
                                name="fk_report_draft_generated_by_id_user_account"),
        sa.PrimaryKeyConstraint("id", name="pk_report_draft"),
        sa.UniqueConstraint("org_id", "year", name="uq_report_draft_org_id_year"),
    )
    op.create_index("ix_report_draft_org_id", "report_draft", ["org_id"])

    op.create_table(
        "report_section",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(20), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("part", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("generated_text", sa.Text(), nullable=False),
        sa.Column("edited_text", sa.Text(), nullable=True),
        sa.Column("has_newer_generated", sa.Boolean(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("edited_by_id", sa.Integer(), nullable=True),
        sa.Column("edited_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(["draft_id"], ["report_draft.id"], name="fk_report_section_draft_id_report_draft",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["edited_by_id"], ["user_account.id"],
                                name="fk_report_section_edited_by_id_user_account"),
        sa.PrimaryKeyConstraint("id", name="pk_report_section"),
        sa.UniqueConstraint("draft_id", "key", name="uq_report_section_draft_id_key"),
    )
    op.create_index("ix_report_section_draft_id", "report_section", ["draft_id"])

    op.create_table(
        "report_section_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("section_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["section_id"], ["report_section.id"],
                                name="fk_report_section_version_section_id_report_section", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["author_id"], ["user_account.id"],
                                name="fk_report_section_version_author_id_user_account"),
        sa.PrimaryKeyConstraint("id", name="pk_report_section_version"),
        sa.UniqueConstraint("section_id", "number", name="uq_report_section_version_section_id_number"),
    )
    op.create_index("ix_report_section_version_section_id", "report_section_version", ["section_id"])


def downgrade():
    for table in ("report_section_version", "report_section", "report_draft", "report_template",
                  "task_target", "baseline_figure", "metric_definition"):
        op.drop_table(table)
