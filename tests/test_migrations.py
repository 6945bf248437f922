"""Migrations on a database that holds rows, as an installation's does: up through 0520 and back, nothing lost."""
from pathlib import Path

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

import config
from tracker import create_app
from tracker.extensions import db

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = str(ROOT / "migrations")

ROWS = [  # the fewest rows that make plan_task's copy matter: an audit entry and a notice point at the task
    "INSERT INTO organisation (id, name, parent_id, path, created_at) VALUES (1, '云乐镇', NULL, '/1/', '2026-01-05')",
    "INSERT INTO user_account (id, username, name, org_id, role, password_hash, is_active_account, session_epoch,"
    " created_at) VALUES (1, 'office', '王', 1, 'committee', 'x', 1, 0, '2026-01-05')",
    "INSERT INTO plan (id, org_id, year, title, created_at) VALUES (1, 1, 2026, '计划', '2026-01-05')",
    "INSERT INTO plan_theme (id, plan_id, key, title, position) VALUES (1, 1, '法', '以法', 0)",
    "INSERT INTO plan_task (id, plan_id, org_id, theme_id, title, description, report_section, owner_id, unit,"
    " status, progress, created_at, updated_at, version) VALUES (1, 1, 1, 1, '普法', '', 7, 1, '', 'assigned', 0,"
    " '2026-01-05', '2026-01-05', 1)",
    "INSERT INTO audit_entry (id, at, actor_id, org_id, task_id, object_type, object_id, action, changes)"
    " VALUES (1, '2026-01-05', 1, 1, 1, 'PlanTask', 1, 'task.create', '{}')",
    "INSERT INTO notification (id, recipient_id, task_id, kind, key_date, source_id, for_date, note, created_at)"
    " VALUES (1, 1, 1, 'assigned', '2026-01-05', 1, '2026-01-05', '', '2026-01-05')",
]


@pytest.fixture
def fresh_database(services, tmp_path):
    """An SQLite file of its own (the suite's database stays as it is)."""
    url = f"sqlite:///{tmp_path / 'installed.db'}"
    app = create_app(config.TestConfig(), SQLALCHEMY_DATABASE_URI=url, INSTANCE_DIR=str(tmp_path / "instance"))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _counts(engine) -> dict:
    with engine.connect() as conn:
        return {t: conn.scalar(text(f'SELECT count(*) FROM "{t}"'))
                for t in ("plan_task", "audit_entry", "notification", "user_account")}


def test_0520_keeps_every_row_and_index_and_goes_back(fresh_database):
    upgrade(directory=MIGRATIONS, revision="0510")
    engine = db.engine
    with engine.begin() as conn:
        for statement in ROWS:
            conn.execute(text(statement))
    before = _counts(engine)
    upgrade(directory=MIGRATIONS)
    assert _counts(engine) == before
    indexes = {i["name"] for i in inspect(create_engine(engine.url)).get_indexes("plan_task")}
    with engine.connect() as conn:
        names = set(conn.scalars(text("SELECT name FROM sqlite_master WHERE tbl_name = 'plan_task'")))
        assert "ix_plan_task_open_activity" in names and {"ix_plan_task_open_due", "ix_plan_task_due_id"} <= indexes
        with pytest.raises(Exception, match="CHECK constraint failed"):
            conn.execute(text("UPDATE plan_task SET status = 'finished'"))
    downgrade(directory=MIGRATIONS, revision="0510")
    assert _counts(engine) == before
    with engine.begin() as conn:
        conn.execute(text("UPDATE plan_task SET status = 'finished'"))  # no constraint any more
        conn.execute(text("UPDATE plan_task SET status = 'assigned'"))
    upgrade(directory=MIGRATIONS)
    assert _counts(engine) == before


def test_0570_adds_unit_and_post_to_users_and_goes_back(fresh_database):
    upgrade(directory=MIGRATIONS, revision="0520")
    engine = db.engine
    with engine.begin() as conn:
        for statement in ROWS:
            conn.execute(text(statement))
    upgrade(directory=MIGRATIONS, revision="0570")
    with engine.begin() as conn:
        conn.execute(text("UPDATE user_account SET unit = '云乐村', post = '村支书'"))
    columns = {c["name"] for c in inspect(create_engine(engine.url)).get_columns("user_account")}
    assert {"unit", "post"} <= columns
    downgrade(directory=MIGRATIONS, revision="0520")
    columns = {c["name"] for c in inspect(create_engine(engine.url)).get_columns("user_account")}
    assert not {"unit", "post"} & columns and _counts(engine)["user_account"] == 1
