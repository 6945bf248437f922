"""Lists must not run one query per row (N+1)."""
from contextlib import contextmanager

from sqlalchemy import event

from tracker.extensions import db
from tracker.services import progress
from tracker.services.users import get_user


@contextmanager
def count_statements():
    counter = {"n": 0}

    def before(*_args, **_kw):
        counter["n"] += 1

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield counter
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def _add_tasks(world, n):
    for i in range(n):
        task = world.task(title=f"任务{i}", co_owners=["cadre2", "cadre3"])
        progress.record_progress(get_user("cadre"), task, percent=10, note="开始",
                                 metrics=[{"name": "普法宣讲", "value": 1, "unit": "次"}])
    db.session.commit()


def _statements_for(api_user, path):
    api_user.get(path)  # warm per-context caches (rules, calendar) so both measurements compare alike
    db.session.expire_all()
    with count_statements() as counter:
        response = api_user.get(path)
    assert response.status_code == 200
    return counter["n"], response.get_json()


def test_task_list_statement_count_does_not_grow_with_rows(world, api):
    office = api("office")
    _add_tasks(world, 2)
    few, body = _statements_for(office, "/tasks?per_page=100")
    assert body["total"] == 2
    _add_tasks(world, 20)
    many, body = _statements_for(office, "/tasks?per_page=100")
    assert body["total"] == 22 and len(body["items"]) == 22
    assert many == few


def test_task_detail_statement_count_does_not_grow_with_updates(world, api):
    office = api("office")
    task = world.task()
    for i in range(2):
        progress.record_progress(get_user("cadre"), task, percent=i, note="进展", metrics=[])
    db.session.commit()
    few, _ = _statements_for(office, f"/tasks/{task.id}")
    for i in range(15):
        progress.record_progress(get_user("cadre2"), task, percent=i, note="进展",
                                 metrics=[{"name": "调解", "value": 1, "unit": "件"}])
    db.session.commit()
    many, body = _statements_for(office, f"/tasks/{task.id}")
    assert len(body["updates"]) == 17
    assert many == few


def test_home_page_statement_count_does_not_grow_with_rows(client, world):
    from tests.factories import PASSWORD, csrf_token
    token = csrf_token(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"username": "cadre", "password": PASSWORD, "csrf_token": token})
    _add_tasks(world, 2)
    client.get("/")  # warm per-context caches
    db.session.expire_all()
    with count_statements() as few:
        assert client.get("/").status_code == 200
    _add_tasks(world, 20)
    db.session.expire_all()
    with count_statements() as many:
        assert client.get("/").status_code == 200
    assert many["n"] == few["n"]
