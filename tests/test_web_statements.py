"""Every list page and the dashboard run the same number of SQL statements for 2 rows as for 20."""
import pytest

from tests.reminders_fixtures import quiet_queue  # noqa: F401
from tests.test_statement_counts import count_statements
from tests.web_fixtures import login, png_bytes
from tracker.extensions import db
from tracker.services.people import users
from tracker.services.people.orgs import resolve_org
from tracker.services.people.users import get_user
from tracker.services.tasks import progress, requests
from tracker.services.tasks.evidence import IncomingFile

PAGES = {
    "office": ["/", "/tasks?per_page=100", "/tasks?per_page=100&light=green&sort=-progress",
               "/plans?per_page=100", "/dashboard", "/review?per_page=100", "/users/?per_page=100"],
    "leader": ["/", "/review?per_page=100", "/dashboard"],
    "cadre": ["/", "/tasks?per_page=100", "/bulletin"],
    "viewer": ["/dashboard", "/tasks?per_page=100", "/plans?per_page=100", "/bulletin"],
}
PAGES["office"] += ["/bulletin?year=2026&by=owner", "/bulletin?year=2026&by=unit"]  # 通报排名 (issue 17.4)


def _add(world, n, start):
    """n tasks with co-owners, an update with a figure and a pending request each, and n users."""
    town = resolve_org("旌德县/云乐镇")
    for i in range(start, start + n):
        users.create_user(username=f"u{i}", org=town, role="cadre", name=f"用户{i}", password="secret-123")
        task = world.task(title=f"任务{i}", owner=f"u{i}", co_owners=["cadre", "cadre2"])
        progress.record_progress(get_user("cadre"), task, percent=10, note="开始",
                                 metrics=[{"name": "普法宣讲", "value": 1, "unit": "次"}])
        requests.request_completion(get_user("cadre"), task, "完成")
    db.session.commit()


def _count(client, path):
    db.session.expire_all()
    with count_statements() as counter:
        response = client.get(path)
    assert response.status_code == 200, path
    return counter["n"]


@pytest.mark.parametrize("username", list(PAGES))
def test_list_pages_do_not_grow_with_rows(client, world, username):
    _add(world, 2, 0)
    login(client, username)
    for path in PAGES[username]:
        client.get(path)  # warm-up: first-request work (caches, lazy set-up) is not per row
    few = {path: _count(client, path) for path in PAGES[username]}
    _add(world, 18, 2)
    many = {path: _count(client, path) for path in PAGES[username]}
    assert many == few


def test_task_page_does_not_grow_with_updates(client, world):
    task = world.task()
    for i in range(2):
        progress.record_progress(get_user("cadre"), task, percent=i, note="进展",
                                 files=[IncomingFile("a.png", png_bytes())])
    db.session.commit()
    login(client, "office")
    client.get(f"/tasks/{task.id}")
    few = _count(client, f"/tasks/{task.id}")
    for i in range(15):
        progress.record_progress(get_user("cadre2"), task, percent=i, note="进展",
                                 metrics=[{"name": "调解", "value": 1, "unit": "件"}],
                                 files=[IncomingFile("b.png", png_bytes())])
    requests.request_extension(get_user("cadre"), task, "2027-03-01", "天气")
    db.session.commit()
    assert _count(client, f"/tasks/{task.id}") == few


def _aim(world, n, start):
    """n tasks, each with two targets and an update reporting both figures."""
    from tracker.services.figures.targets import set_targets
    for i in range(start, start + n):
        task = world.task(title=f"目标任务{i}")
        set_targets(get_user("office"), task, [{"name": "普法宣讲", "value": 8, "unit": "次"},
                                               {"name": f"数据{i}", "value": 2, "unit": "件"}])
        progress.record_progress(get_user("cadre"), task, percent=10, note="开始",
                                 metrics=[{"name": "普法宣讲", "value": 3, "unit": "次"},
                                          {"name": f"数据{i}", "value": 1, "unit": "件"}])
    db.session.commit()


def test_dashboard_figure_targets_do_not_grow_with_rows(client, world):
    _aim(world, 2, 0)
    login(client, "office")
    client.get("/dashboard")
    few = _count(client, "/dashboard")
    _aim(world, 18, 2)
    html = client.get("/dashboard").get_data(as_text=True)
    assert html.count("<td>数据") == 20  # one row per figure, all shown
    assert _count(client, "/dashboard") == few


def test_target_and_progress_pages_do_not_grow_with_targets(client, world):
    from tracker.services.figures.targets import set_targets
    task = world.task()
    login(client, "office")
    pages = [f"/tasks/{task.id}", f"/tasks/{task.id}/targets", f"/tasks/{task.id}/progress"]
    set_targets(get_user("office"), task, [{"name": "普法宣讲", "value": 8, "unit": "次"}])
    progress.record_progress(get_user("cadre"), task, percent=1, note="开始",
                             metrics=[{"name": "普法宣讲", "value": 1, "unit": "次"}])
    db.session.commit()
    for path in pages:
        client.get(path)
    few = {path: _count(client, path) for path in pages}
    set_targets(get_user("office"), task, [{"name": name, "value": 5, "unit": unit}
                                           for name, unit in [("普法宣讲", "次"), ("普法受众", "人"), ("培训", "场"),
                                                              ("调解案件", "件"), ("法律援助", "件"), ("网格员", "人")]])
    for i in range(6):
        progress.record_progress(get_user("cadre"), task, percent=i, note="进展",
                                 metrics=[{"name": "普法宣讲", "value": 1, "unit": "次"},
                                          {"name": "培训", "value": 1, "unit": "场"}])
    db.session.commit()
    assert {path: _count(client, path) for path in pages} == few


def test_figure_catalogue_does_not_grow_with_its_entries(client, world, api):
    """The catalogue is committed on first use; reading it after the commit reloaded each entry (32 statements)."""
    from tracker.services.figures import catalogue
    town = resolve_org("旌德县/云乐镇")
    office = api("office")
    login(client, "office")
    page = f"/reports/{town.id}/catalogue"
    assert office.get("/catalogue").status_code == 200 and client.get(page).status_code == 200  # made here

    def counts():
        db.session.expire_all()
        with count_statements() as seen_api:
            items = office.get("/catalogue").get_json()["items"]
        return len(items), seen_api["n"], _count(client, page)

    few = counts()
    for i in range(10):
        catalogue.add_definition(get_user("office"), town, f"数据{i}", "件")
    db.session.commit()
    many = counts()
    assert many[0] == few[0] + 10 and many[1:] == few[1:]


def test_every_read_page_and_api_list_does_not_grow_with_rows(client, world, api, quiet_queue):
    """Beyond the lists above: every other page and API read the committee opens, with 2 and then 20 of
    everything (tasks, updates, requests, people, notices, figures, audit entries)."""
    from tracker.services.figures import catalogue
    from tracker.services.reminders.immediate import urge
    town = resolve_org("旌德县/云乐镇")

    def grow(n, start):
        _add(world, n, start)
        for i in range(start, start + n):
            urge(get_user("office"), world.task(title=f"催办{i}", owner="office", co_owners=[]), f"第{i}次")
            catalogue.add_definition(get_user("office"), town, f"数据{i}", "件")
        db.session.commit()

    grow(2, 0)
    task = world.task(title="看这个任务")
    office = api("office")
    login(client, "office")
    pages = ["/notices/", "/notices/log", "/notices/rules", "/notices/recurring",
             "/notices/settings", "/reports", f"/reports/{town.id}/catalogue", "/exports/", "/exports/calendar",
             f"/exports/plans/{world.plan.id}", "/imports/", f"/users/{get_user('cadre').id}",
             f"/tasks/{task.id}/edit", f"/tasks/{task.id}/progress", f"/tasks/{task.id}/targets",
             f"/tasks/{task.id}/split"]
    calls = ["/plans", f"/plans/{world.plan.id}", "/notifications?per_page=100", "/catalogue",
             "/tasks?per_page=100", f"/tasks/{task.id}", f"/tasks/{task.id}/history?per_page=100"]

    def api_count(path):
        db.session.expire_all()
        with count_statements() as counter:
            response = office.get(path)
        assert response.status_code == 200, (path, response.get_json())
        return counter["n"]

    for path in pages:
        client.get(path)
    for path in calls:
        office.get(path)
    few = {**{p: _count(client, p) for p in pages}, **{"api" + p: api_count(p) for p in calls}}
    grow(18, 2)
    many = {**{p: _count(client, p) for p in pages}, **{"api" + p: api_count(p) for p in calls}}
    assert many == few
