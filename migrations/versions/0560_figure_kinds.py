"""Figure kinds (flow 累计 / stock 现有) on the catalogue and the baseline, a baseline's scope, the draft's annex,
and progress_update.corrects_id (更正: an update that replaces an earlier one's figures).

SQLite cannot add a foreign key to an existing table without copying it, and progress_update is pointed at by
update_metric and evidence: there the column goes in without the constraint (the service checks the id);
PostgreSQL gets the constraint.

The default catalogue's standing totals become stocks, and its 分析研判 — the same meetings as 矛盾纠纷排查 —
is retired (updates that named it keep their rows). SQLite adds the CHECK constraints by copying the two
tables (Alembic's batch mode); no foreign key points at either, so the copy needs no care.

Revision ID: 0560
Revises: 0580
"""
import sqlalchemy as sa
from alembic import op

revision = "0560"
down_revision = "0580"
branch_labels = None
depends_on = None

KINDS = "kind IN ('flow', 'stock')"
STOCKS = ("网格员", "网格长", "公安义警", "法律顾问")  # the default catalogue's standing totals (issue 15)


def upgrade():
    with op.batch_alter_table("metric_definition") as batch:
        batch.add_column(sa.Column("kind", sa.String(10), nullable=False, server_default="flow"))
        batch.create_check_constraint("kind_known", KINDS)
    with op.batch_alter_table("baseline_figure") as batch:
        batch.add_column(sa.Column("kind", sa.String(10), nullable=False, server_default="flow"))
        batch.add_column(sa.Column("scope", sa.String(500), nullable=False, server_default=""))
        batch.create_check_constraint("kind_known", KINDS)
    op.add_column("report_draft", sa.Column("annex", sa.JSON(), nullable=True))
    op.add_column("progress_update", sa.Column("corrects_id", sa.Integer(), nullable=True))
    op.create_index("ix_progress_update_corrects_id", "progress_update", ["corrects_id"])
    if op.get_bind().dialect.name != "sqlite":
        op.create_foreign_key("progress_update_corrects_id_fkey", "progress_update", "progress_update",
                              ["corrects_id"], ["id"])
    names = ", ".join(f"'{n}'" for n in STOCKS)
    op.execute(f"UPDATE metric_definition SET kind = 'stock' WHERE name IN ({names})")
    op.execute(f"UPDATE baseline_figure SET kind = 'stock' WHERE name IN ({names})")
    op.execute("UPDATE metric_definition SET is_active = false WHERE name = '分析研判' AND unit = '次'")


def downgrade():
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint("progress_update_corrects_id_fkey", "progress_update", type_="foreignkey")
    op.drop_index("ix_progress_update_corrects_id", "progress_update")
    op.drop_column("progress_update", "corrects_id")
    op.drop_column("report_draft", "annex")
    with op.batch_alter_table("baseline_figure") as batch:
        batch.drop_constraint("kind_known", type_="check")
        batch.drop_column("scope")
        batch.drop_column("kind")
    with op.batch_alter_table("metric_definition") as batch:
        batch.drop_constraint("kind_known", type_="check")
        batch.drop_column("kind")
