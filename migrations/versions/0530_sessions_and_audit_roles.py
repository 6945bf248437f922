"""Issue 18: a password reset's calendar-feed notice waits on the user (feeds_rotated_at); on PostgreSQL the
audit trail refuses TRUNCATE too, which skips the row trigger of 0002.

Revision ID: 0530
Revises: 0570
"""
import sqlalchemy as sa
from alembic import op

revision = "0530"
down_revision = "0570"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("feeds_rotated_at", sa.DateTime(timezone=True), nullable=True))
    if op.get_bind().dialect.name != "postgresql":
        return
    # TRUNCATE fires no row trigger; a statement trigger refuses it. (DELETE under session_replication_role =
    # replica, as the test suite empties tables, fires neither: that needs a superuser or the owner.)
    op.execute("""
        CREATE OR REPLACE FUNCTION audit_entry_refuse_truncate() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION 'audit_entry is append-only (留痕不可清空)';
        END;
        $$ LANGUAGE plpgsql;
    """)
    op.execute("""
        CREATE TRIGGER audit_entry_no_truncate
        BEFORE TRUNCATE ON audit_entry
        FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_refuse_truncate();
    """)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_entry_no_truncate ON audit_entry")
        op.execute("DROP FUNCTION IF EXISTS audit_entry_refuse_truncate()")
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("feeds_rotated_at")
