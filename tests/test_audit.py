"""The audit trail (留痕) is append-only."""
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tracker.extensions import db


def test_every_change_leaves_an_entry_with_before_and_after(world, api):
    task = world.task()
    office = api("office")
    office.patch(f"/tasks/{task.id}", json={"version": task.version, "title": "新标题"})
    history = office.get(f"/tasks/{task.id}/history").get_json()["items"]
    assert [h["action"] for h in history] == ["task.create", "task.update"]
    assert history[1]["actor"] == "office"
    assert history[1]["changes"]["title"] == ["开展普法宣讲", "新标题"]


def test_database_refuses_to_change_audit_rows_on_postgresql(world):
    world.task()
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL only")
    for statement in ("UPDATE audit_entry SET action = 'x'", "DELETE FROM audit_entry"):
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(text(statement))
        db.session.rollback()
    assert db.session.scalar(text("SELECT count(*) FROM audit_entry")) > 0
