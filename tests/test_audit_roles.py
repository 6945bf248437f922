"""The audit trail on PostgreSQL (issue 18.6): TRUNCATE is refused, and the runtime role the README describes
(`flask grant-runtime-role`) may add to the trail and read it, but not rewrite, empty or alter it."""
import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tracker.extensions import db
from tracker.services.infra.db_roles import runtime_grants


def _postgres_only():
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only (DATABASE_URL=postgresql://…)")


@pytest.fixture
def runtime_role(app):
    _postgres_only()
    name = f"tracker_rt_{uuid.uuid4().hex[:8]}"
    with db.engine.begin() as conn:
        conn.exec_driver_sql(f'CREATE ROLE "{name}" NOLOGIN')
    yield name
    db.session.remove()
    with db.engine.begin() as conn:
        conn.exec_driver_sql(f'DROP OWNED BY "{name}"')  # its grants and default privileges
        conn.exec_driver_sql(f'DROP ROLE "{name}"')


def _as(role: str, statement: str):
    """Run one statement as `role` in a transaction of its own (SET LOCAL ROLE ends with it)."""
    with db.engine.connect() as conn:
        with conn.begin() as transaction:
            conn.exec_driver_sql(f'SET LOCAL ROLE "{role}"')
            try:
                return conn.execute(text(statement)).fetchall() if statement.startswith("SELECT") else \
                    conn.execute(text(statement))
            finally:
                transaction.rollback()


def _refused(role: str, statement: str) -> str:
    with pytest.raises(DBAPIError) as caught:
        _as(role, statement)
    return str(caught.value.orig)


def test_truncate_of_the_audit_trail_is_refused_even_for_its_owner(app, world):
    _postgres_only()
    with pytest.raises(DBAPIError) as caught:
        with db.engine.begin() as conn:
            conn.exec_driver_sql("TRUNCATE audit_entry")
    assert "留痕不可清空" in str(caught.value.orig)
    with db.engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM audit_entry")) > 0


def test_the_runtime_role_adds_and_reads_but_cannot_rewrite_empty_or_alter(app, world, runner, runtime_role):
    result = runner.invoke(args=["grant-runtime-role", runtime_role])
    assert result.exit_code == 0, result.output
    assert "已授权运行角色" in result.output
    insert = ("INSERT INTO audit_entry (at, actor_id, org_id, object_type, object_id, action, changes)"
              " VALUES (now(), NULL, NULL, 'User', 1, 'test.insert', '{}')")
    _as(runtime_role, insert)
    assert _as(runtime_role, "SELECT count(*) FROM audit_entry")[0][0] > 0
    _as(runtime_role, "UPDATE plan_task SET title = title")  # the app's other tables stay writable
    _as(runtime_role, "DELETE FROM api_token WHERE id < 0")
    for statement in ("UPDATE audit_entry SET action = 'x'", "DELETE FROM audit_entry", "TRUNCATE audit_entry"):
        assert "permission denied" in _refused(runtime_role, statement), statement
    for statement in ("ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_append_only",
                      "ALTER TABLE audit_entry DISABLE TRIGGER ALL", "DROP TRIGGER audit_entry_no_truncate ON audit_entry",
                      "DROP TABLE audit_entry", "UPDATE alembic_version SET version_num = 'x'"):
        message = _refused(runtime_role, statement)
        assert "must be owner" in message or "permission denied" in message, (statement, message)


def test_the_grants_refuse_a_malformed_role_name():
    from tracker.services.errors import ValidationFailed
    with pytest.raises(ValidationFailed):
        runtime_grants('app"; DROP TABLE audit_entry; --')
    assert any("REVOKE UPDATE, DELETE, TRUNCATE" in s and "audit_entry" in s for s in runtime_grants("tracker_app"))


def test_the_command_says_it_needs_postgresql(app, runner):
    if db.engine.dialect.name == "postgresql":
        pytest.skip("SQLite only")
    result = runner.invoke(args=["grant-runtime-role", "tracker_app"])
    assert result.exit_code == 1 and "只适用于 PostgreSQL" in result.output
