"""Every organisation gets its default figure catalogue when it is created; those that have none get it here.

Pages used to add it on first view (a GET that wrote). The defaults are read from the application's catalogue
(tracker.services.figures.catalogue.DEFAULTS) as they are when this runs.

Revision ID: 0500
Revises: 0440
"""
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = "0500"
down_revision = "0440"
branch_labels = None
depends_on = None


def upgrade():
    from tracker.services.figures.catalogue import DEFAULTS
    bind = op.get_bind()
    orgs = sa.table("organisation", sa.column("id", sa.Integer))
    figures = sa.table("metric_definition", sa.column("org_id", sa.Integer), sa.column("name", sa.String),
                       sa.column("unit", sa.String), sa.column("description", sa.Text),
                       sa.column("report_section", sa.Integer), sa.column("position", sa.Integer),
                       sa.column("is_active", sa.Boolean), sa.column("created_at", sa.DateTime(timezone=True)))
    have = sa.select(figures.c.org_id).distinct()
    missing = [row.id for row in bind.execute(sa.select(orgs.c.id).where(orgs.c.id.not_in(have)))]
    # Stored as the app stores timestamps: UTC, naive on SQLite (tracker.models.types.UTCDateTime).
    now = datetime.now(timezone.utc)
    if bind.dialect.name == "sqlite":
        now = now.replace(tzinfo=None)
    rows = [{"org_id": org_id, "name": name, "unit": unit, "description": description, "report_section": section,
             "position": i, "is_active": True, "created_at": now}
            for org_id in missing for i, (name, unit, description, section, _) in enumerate(DEFAULTS)]
    if rows:
        op.bulk_insert(figures, rows)


def downgrade():
    pass  # the rows are the organisations' own catalogues by now; nothing to take back
