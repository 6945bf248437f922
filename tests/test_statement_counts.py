"""Lists must not run one query per row (N+1)."""
from contextlib import contextmanager

from sqlalchemy import event

from tracker.extensions import db
from tracker.services.people.users import get_user
from tracker.services.tasks import progress
from tracker.services.tasks.lights import LIGHTS


@contextmanager
def count_statements():
    """Counts the SQL statements run inside the block (`n`) and keeps their text (`sql`)."""
    counter = {"n": 0, "sql": []}

    def before(conn, cursor, statement, *_args, **_kw):
        counter["n"] += 1
        counter["sql"].append(statement)

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


def test_dashboard_breakdowns_agree_with_the_tasks_in_a_fixed_number_of_statements(app, world):
    """The dashboard's one rollup statement (GROUPING SETS on PostgreSQL, a CTE read five times elsewhere) gives
    every breakdown exactly as counting the tasks one by one with lights.light does, and its statement count
    does not change when tasks, owners and townships are added."""
    from collections import Counter
    from datetime import date, timedelta

    from tests.conftest import TODAY
    from tracker.models import PlanTask
    from tracker.services.dashboard import summary as dashboard
    from tracker.services.tasks import verbs as tasks
    from tracker.services.tasks.lights import light

    def build():
        db.session.expire_all()
        with count_statements() as counter:
            built = dashboard.build(get_user("county_office"), 2026, TODAY)
        return built, counter["n"]

    world.task(title="起步", due_date=TODAY + timedelta(days=60))
    build()  # warm per-context caches (rules, calendar)
    _, few = build()
    owners, themes = ["cadre", "cadre2", "cadre3", "leader"], ["法", "新", "实"]
    for i in range(24):
        owner = owners[i % 4]
        task = world.task(title=f"任务{i}", owner=owner, co_owners=["cadre3" if owner != "cadre3" else "cadre"],
                          theme=themes[i % 3], report_section=1 + i % 7,
                          due_date=TODAY + timedelta(days=(i % 5 - 2) * 9))
        if i % 6 == 0:
            progress.record_progress(get_user("cadre"), task, percent=40 + i, note="推进")
        if i % 8 == 1:
            tasks.cancel_task(get_user("office"), task, "不再开展")
        if i % 8 == 2:
            task.status, task.progress = "done", 100
    tasks.create_task(get_user("other_office"), world.other_plan,
                      {"theme": "1", "title": "白地镇的任务", "report_section": 3, "owner": "other_cadre",
                       "due_date": date(2026, 11, 10)})
    db.session.commit()
    board, many = build()
    assert many == few

    every = db.session.scalars(db.select(PlanTask)).all()
    assert board.total == len(every) == 26
    assert board.by_status == {s: n for s, n in Counter(t.status for t in every).items()} | {
        s: 0 for s in board.by_status if s not in {t.status for t in every}}
    assert board.by_light == Counter(light(t, TODAY) for t in every) | {k: 0 for k in board.by_light
                                                                         if k not in {light(t, TODAY) for t in every}}

    def expected(key):
        groups = {}
        for t in every:
            g = groups.setdefault(key(t), {"total": 0, "lights": Counter(), "sum": 0, "n": 0})
            g["total"] += 1
            g["lights"][light(t, TODAY)] += 1
            if t.status != "cancelled":
                g["sum"] += t.progress
                g["n"] += 1
        return {k: (g["total"], {lamp: g["lights"][lamp] for lamp in LIGHTS},
                    round(g["sum"] / g["n"]) if g["n"] else 0) for k, g in groups.items()}

    def shown(groups):
        return {g.key: (g.total, g.lights, g.progress) for g in groups}

    assert shown(board.themes) == expected(lambda t: t.theme.key)
    assert shown(board.sections) == expected(lambda t: t.report_section)
    assert shown(board.owners) == expected(lambda t: t.owner.username if t.owner else None)
    assert shown(board.orgs) == expected(lambda t: t.org_id)
    assert {g.label for g in board.orgs} == {"云乐镇", "白地镇"}
    assert {g.label for g in board.owners} == {"cadre姓名", "cadre2姓名", "cadre3姓名", "leader姓名", "other_cadre姓名"}
    assert [t.title for t in board.overdue] == sorted(
        (t.title for t in every if light(t, TODAY) == "red"), key=lambda s: next(
            (x.due_date, x.id) for x in every if x.title == s))


def test_rankings_statement_count_does_not_grow_with_tasks(world, api):
    """Rankings by unit, owner and organisation (issue 17.4) are set-based: 2 tasks or 20, done or not,
    each on a due date of its own, cost the same statements."""
    from datetime import date, timedelta

    from tracker.services.tasks import requests

    def add(n, offset):
        for i in range(n):
            task = world.task(title=f"排名任务{offset + i}", owner=("cadre", "cadre2", "cadre3")[i % 3],
                              co_owners=[], unit=("司法所", "综治中心", "党政办", "刘村")[i % 4],
                              due_date=date(2026, 3, 1) + timedelta(days=7 * (offset + i)))
            if i % 2:
                requests.request_completion(get_user(task.owner.username), task, "已完成")
                requests.review(get_user("office"), task, True, "")
        db.session.commit()

    queries = [("office", "/rankings?year=2026&by=unit"), ("office", "/rankings?year=2026&by=owner"),
               ("county_office", "/rankings?year=2026&by=org")]
    add(2, 0)
    few = {q: _statements_for(api(who), q) for who, q in queries}
    add(20, 2)
    many = {q: _statements_for(api(who), q) for who, q in queries}
    assert few["/rankings?year=2026&by=unit"][1]["total"]["tasks"] == 2
    assert many["/rankings?year=2026&by=unit"][1]["total"]["tasks"] == 22
    assert many["/rankings?year=2026&by=org"][1]["items"][0]["done"] == 11
    assert {q: n for q, (n, _) in many.items()} == {q: n for q, (n, _) in few.items()}
def test_unacknowledged_list_and_urges_do_not_grow_with_rows(world, api):
    """GET /tasks?acknowledged=false and GET /tasks/{id}/urges (issue 17) with 2 and then 20 rows."""
    from tracker.services.reminders.immediate import urge
    office = api("office")
    task = world.task(title="被催办的任务")

    def grow(n):
        _add_tasks(world, n)  # each with the owner's progress: acknowledged
        for i in range(n):
            world.task(title=f"待签收{i}")
            urge(get_user("office"), task, f"第{i}次催办")
        db.session.commit()

    grow(2)
    few, body = _statements_for(office, "/tasks?acknowledged=false&per_page=100")
    few_urges, urges = _statements_for(office, f"/tasks/{task.id}/urges")
    assert body["total"] == 3 and len(urges["items"]) == 2
    grow(18)
    many, body = _statements_for(office, "/tasks?acknowledged=false&per_page=100")
    many_urges, urges = _statements_for(office, f"/tasks/{task.id}/urges")
    assert body["total"] == 21 and len(urges["items"]) == 20
    assert (many, many_urges) == (few, few_urges)
