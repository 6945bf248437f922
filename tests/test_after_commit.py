"""Work queued for after the commit goes out once the outermost commit succeeds, never for what rolled back."""
from sqlalchemy import text

from tracker.extensions import db
from tracker.services.infra.after_commit import after_commit, after_commit_batch


def test_after_commit_follows_the_transaction_and_its_savepoints(app):
    ran = []
    after_commit(ran.append, "before any statement, rolled back")
    db.session.rollback()
    db.session.commit()
    db.session.execute(text("SELECT 1"))
    after_commit(ran.append, "outer")
    savepoint = db.session.begin_nested()
    after_commit(ran.append, "in a savepoint rolled back")
    savepoint.rollback()
    savepoint = db.session.begin_nested()
    after_commit(ran.append, "in a savepoint released")
    savepoint.commit()
    assert ran == []  # a released savepoint is not a commit
    after_commit_batch("ids", [1, 2], ran.append)
    after_commit_batch("ids", [3], ran.append)
    db.session.commit()
    assert ran == ["outer", "in a savepoint released", [1, 2, 3]]
    db.session.commit()
    assert len(ran) == 3  # nothing runs twice
