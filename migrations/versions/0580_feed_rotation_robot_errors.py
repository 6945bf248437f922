"""Calendar feeds say why the system renewed them (a password reset, issue 18.12); robot errors recorded before
issue 18.1 quoted the peer's answer, and are replaced by a reason of ours; deliveries count the attempts whose
outcome is unknown (issue 18.19: the reminder log tells how many messages may have arrived twice).

Revision ID: 0580
Revises: 0550
"""
import sqlalchemy as sa
from alembic import op

revision = "0580"
down_revision = "0550"
branch_labels = None
depends_on = None

CLEARED = "机器人发送失败(旧记录:原因含对方的回复,已清除)"


def upgrade():
    # Plain ALTER TABLE on both databases: a batch copy on SQLite would be needless here (and drop nothing of
    # value, but 0520's CHECK constraints would have to be carried by hand).
    op.add_column("calendar_feed", sa.Column("renewed_because", sa.String(20), nullable=True))
    op.add_column("delivery", sa.Column("in_flight_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("delivery", sa.Column("uncertain_attempts", sa.Integer(), nullable=False, server_default="0"))
    # Every robot failure used to be "RobotError: " and the peer's text or the HTTP library's (a reason phrase,
    # an errmsg, up to 300 characters of the answer); only the one message of our own is kept.
    op.execute(sa.text(
        "UPDATE delivery SET last_error = :cleared WHERE channel IN ('wecom', 'dingtalk') "
        "AND last_error LIKE 'RobotError: %' AND last_error <> 'RobotError: 本单位未配置该机器人'"
    ).bindparams(cleared=CLEARED))


def downgrade():
    # The cleared texts are not brought back: they were the peers' and should never have been kept.
    # DROP COLUMN: PostgreSQL, and SQLite from 3.35 (the columns are in no index or constraint).
    for table, column in (("delivery", "uncertain_attempts"), ("delivery", "in_flight_at"),
                          ("calendar_feed", "renewed_because")):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
