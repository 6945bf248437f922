"""Migrations on a database that holds rows, as an installation's does: up through 0520 and back, nothing lost."""
from pathlib import Path

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

import config
from tracker import create_app
from tracker.extensions import bind_migrate, db

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
    bind_migrate(app)
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


def test_0550_adds_the_carry_over_and_its_notice_kind_and_goes_back(fresh_database):
    upgrade(directory=MIGRATIONS, revision="0520")
    engine = db.engine
    with engine.begin() as conn:
        for statement in ROWS:
            conn.execute(text(statement))
    before = _counts(engine)
    carried = ("INSERT INTO notification (id, recipient_id, task_id, kind, key_date, source_id, for_date, note,"
               " created_at) VALUES (2, 1, 1, 'carried_over', '2026-12-03', 1, '2026-12-03', '', '2026-12-03')")
    with pytest.raises(Exception, match="CHECK constraint failed"), engine.begin() as conn:
        conn.execute(text(carried))
    upgrade(directory=MIGRATIONS, revision="0550")
    assert _counts(engine) == before and "carry_over" in inspect(create_engine(engine.url)).get_table_names()
    with engine.begin() as conn:
        conn.execute(text(carried))
    downgrade(directory=MIGRATIONS, revision="0520")  # the carried_over notices go; every other row stays
    assert _counts(engine) == before and "carry_over" not in inspect(create_engine(engine.url)).get_table_names()


def test_0580_adds_the_renewal_reason_clears_quoted_robot_answers_and_goes_back(fresh_database):
    upgrade(directory=MIGRATIONS, revision="0520")
    engine = db.engine
    errors = ["RobotError: 机器人返回错误:{'errcode': 1, 'errmsg': '<html>内网页面</html>'}",
              "RobotError: 本单位未配置该机器人", "SMTPDataError: (451, b'try again')"]
    with engine.begin() as conn:
        for statement in ROWS:
            conn.execute(text(statement))
        conn.execute(text("INSERT INTO calendar_feed (id, user_id, kind, token, created_at) "
                          "VALUES (1, 1, 'personal', 'secret-token-of-twenty-chars', '2026-01-05')"))
        for i, (channel, error) in enumerate(zip(("wecom", "dingtalk", "email"), errors), start=1):
            conn.execute(text(
                "INSERT INTO delivery (id, recipient_id, org_id, channel, kind, key_date, notification_ref, status,"
                " attempts, last_error, created_at) VALUES (:i, 1, 1, :c, 'assigned', '2026-01-05', 1, 'failed', 6,"
                " :e, '2026-01-05')"), {"i": i, "c": channel, "e": error})
    upgrade(directory=MIGRATIONS, revision="0580")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT token, renewed_because FROM calendar_feed")).all() == [
            ("secret-token-of-twenty-chars", None)]
        kept = list(conn.scalars(text("SELECT last_error FROM delivery ORDER BY id")))
    assert kept == ["机器人发送失败(旧记录:原因含对方的回复,已清除)", *errors[1:]]
    with engine.connect() as conn:
        assert list(conn.scalars(text("SELECT uncertain_attempts FROM delivery"))) == [0, 0, 0]
    downgrade(directory=MIGRATIONS, revision="0520")
    with engine.begin() as conn:
        assert conn.scalar(text("SELECT count(*) FROM calendar_feed")) == 1
        assert conn.scalar(text("SELECT count(*) FROM delivery")) == 3
        with pytest.raises(Exception, match="CHECK constraint failed"):  # 0520's constraints are still there
            conn.execute(text("UPDATE delivery SET status = 'lost'"))
    assert "uncertain_attempts" not in {c["name"] for c in inspect(create_engine(engine.url)).get_columns("delivery")}
    assert "renewed_because" not in {c["name"] for c in inspect(create_engine(engine.url)).get_columns("calendar_feed")}


def test_0560_marks_standing_totals_as_stocks_retires_the_duplicate_and_goes_back(fresh_database):
    upgrade(directory=MIGRATIONS, revision="0520")
    engine = db.engine
    with engine.begin() as conn:
        for statement in ROWS[:5]:
            conn.execute(text(statement))
        for i, (name, unit) in enumerate([("网格员", "人"), ("普法宣讲", "次"), ("分析研判", "次")], start=1):
            conn.execute(text("INSERT INTO metric_definition (id, org_id, name, unit, description, position, is_active,"
                              f" created_at) VALUES ({i}, 1, '{name}', '{unit}', '', {i}, 1, '2026-01-05')"))
        conn.execute(text("INSERT INTO baseline_figure (id, org_id, year, name, unit, value, is_approximate, source,"
                          " created_at) VALUES (1, 1, 2025, '网格员', '人', 44, 0, '', '2026-01-05')"))
        conn.execute(text("INSERT INTO progress_update (id, task_id, author_id, percent, previous_percent, note,"
                          " created_at) VALUES (1, 1, 1, 10, 0, '宣讲1次', '2026-01-05')"))
    upgrade(directory=MIGRATIONS)
    with engine.begin() as conn:
        kinds = dict(conn.execute(text("SELECT name, kind FROM metric_definition")).all())
        assert kinds == {"网格员": "stock", "普法宣讲": "flow", "分析研判": "flow"}
        assert conn.scalar(text("SELECT is_active FROM metric_definition WHERE name = '分析研判'")) in (0, False)
        assert conn.scalar(text("SELECT kind FROM baseline_figure")) == "stock"
        assert conn.scalar(text("SELECT corrects_id FROM progress_update")) is None
        with pytest.raises(Exception, match="CHECK constraint failed"):
            conn.execute(text("UPDATE metric_definition SET kind = 'total'"))
    downgrade(directory=MIGRATIONS, revision="0520")
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM metric_definition")) == 3
        assert conn.scalar(text("SELECT count(*) FROM progress_update")) == 1
    columns = {c["name"] for c in inspect(create_engine(engine.url)).get_columns("metric_definition")}
    assert "kind" not in columns
    upgrade(directory=MIGRATIONS)


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


def test_0630_adds_report_submissions_and_a_notice_about_no_task_and_goes_back(fresh_database):
    upgrade(directory=MIGRATIONS, revision="0530")
    engine = db.engine
    with engine.begin() as conn:
        for statement in ROWS:
            conn.execute(text(statement))
    before = _counts(engine)
    returned = ("INSERT INTO notification (id, recipient_id, task_id, kind, key_date, source_id, for_date, note,"
                " created_at) VALUES (3, 1, NULL, 'report_returned', '2027-03-02', 1, '2027-03-02', '',"
                " '2027-03-02')")
    with pytest.raises(Exception, match="constraint failed"), engine.begin() as conn:
        conn.execute(text(returned))
    upgrade(directory=MIGRATIONS, revision="0630")
    assert _counts(engine) == before
    assert "report_submission" in inspect(create_engine(engine.url)).get_table_names()
    with engine.begin() as conn:
        conn.execute(text(returned))
        conn.execute(text("INSERT INTO report_submission (id, org_id, year, version, status, is_late, title, sections,"
                          " figures, text, docx, submitted_at, comment) VALUES (1, 1, 2026, 1, 'submitted', 0, '报告',"
                          " '[]', '[]', '', X'00', '2027-03-01', '')"))
        with pytest.raises(Exception, match="CHECK constraint failed"):
            conn.execute(text("UPDATE report_submission SET status = 'lost'"))
    downgrade(directory=MIGRATIONS, revision="0530")  # the task-less notice goes; every other row stays
    assert _counts(engine) == before
    assert "report_submission" not in inspect(create_engine(engine.url)).get_table_names()
    upgrade(directory=MIGRATIONS)
