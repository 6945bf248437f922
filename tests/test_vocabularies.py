"""Closed vocabularies: the database refuses unknown statuses, roles and kinds; one table says which moves a
task's status may make, and the services, the pages and the API all follow it."""
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from tracker.extensions import db
from tracker.models import STATUSES, TaskStatus
from tracker.services.errors import Conflict
from tracker.services.people.users import get_user
from tracker.services.tasks import status
from tracker.services.tasks.requests import request_completion, request_extension, review
from tracker.services.tasks.verbs import cancel_task
from tracker.services.tasks.view import offered

# Written out by hand, so a change to tracker/services/tasks/status.py must be made here too, on purpose.
ALLOWED = {
    ("draft", "assigned"), ("draft", "cancelled"), ("draft", "carried_over"),
    ("assigned", "in_progress"), ("assigned", "completion_requested"), ("assigned", "cancelled"),
    ("assigned", "carried_over"),
    ("in_progress", "completion_requested"), ("in_progress", "cancelled"), ("in_progress", "carried_over"),
    ("completion_requested", "done"), ("completion_requested", "in_progress"),
    ("completion_requested", "cancelled"), ("completion_requested", "carried_over"),
}


def test_the_table_of_moves():
    assert {(a, b) for a in STATUSES for b in STATUSES if status.can_move(a, b)} == ALLOWED


@pytest.mark.parametrize("table, column, value", [
    ("plan_task", "status", "finished"), ("user_account", "role", "admin"),
    ("task_request", "status", "maybe"), ("notification", "kind", "spam"),
])
def test_the_database_refuses_an_unknown_value(app, world, table, column, value):
    task = world.task()  # with its 交办 notice
    request_extension(get_user("cadre"), task, "2027-01-31", "等待上级批复")
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.execute(text(f"UPDATE {table} SET {column} = :v"), {"v": value})
        db.session.flush()
    db.session.rollback()


def test_the_database_takes_every_value_the_models_know(app, world):
    """The migrations' CHECK lists and the models' vocabularies agree (a new kind needs its migration)."""
    from tracker.models import NOTICE_KINDS, ROLES, RequestStatus
    from tracker.models.reminders import DELIVERY_STATUSES
    task = world.task()
    request_extension(get_user("cadre"), task, "2027-01-31", "等待上级批复")
    db.session.commit()
    cases = [("plan_task", "status", STATUSES), ("notification", "kind", NOTICE_KINDS),
             ("user_account", "role", ROLES), ("task_request", "status", [s.value for s in RequestStatus])]
    for table, column, values in cases:
        for value in values:
            db.session.execute(text(f"UPDATE {table} SET {column} = :v"), {"v": value})
            db.session.flush()
    db.session.execute(text("INSERT INTO delivery (recipient_id, org_id, channel, kind, key_date, notification_ref,"
                            " status, attempts, last_error, created_at) VALUES (:u, :o, 'email', 'digest',"
                            " '2026-11-25', 0, 'pending', 0, '', '2026-11-25')"),
                       {"u": get_user("cadre").id, "o": task.org_id})
    for column, values in (("kind", NOTICE_KINDS), ("status", DELIVERY_STATUSES)):
        for value in values:
            db.session.execute(text(f"UPDATE delivery SET {column} = :v"), {"v": value})
            db.session.flush()
    db.session.rollback()


def test_services_and_pages_follow_the_table(app, world):
    task = world.task()
    office, cadre = get_user("office"), get_user("cadre")
    assert "complete" in offered(cadre, task, []) and "cancel" in offered(office, task, [])
    request_completion(cadre, task, "已完成")
    review(office, task, True, "")
    db.session.commit()
    assert task.status == TaskStatus.done
    assert offered(office, task, []).isdisjoint({"complete", "cancel", "edit", "progress"})
    with pytest.raises(Conflict):
        cancel_task(office, task, "重复")
    with pytest.raises(Conflict):
        status.move(task, TaskStatus.in_progress, action="task.update")
    db.session.rollback()
