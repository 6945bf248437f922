"""The dashboard: counts by status and light, breakdowns, the county's per-township view, links to the lists."""
import re
from datetime import date

from tests.web_fixtures import login
from tracker.extensions import db
from tracker.services.people.users import get_user
from tracker.services.tasks import progress
from tracker.services.tasks import verbs as tasks


def _text(response):
    return response.get_data(as_text=True)


def _stat(html, label):
    match = re.search(r'<span class="big">(\d+)</span>' + label, html)
    return int(match.group(1))


def _world_with_tasks(world):
    late = world.task(title="逾期的任务", due_date=date(2026, 11, 2))
    world.task(title="按期的任务", theme="新", report_section=2)
    done = world.task(title="做完的任务", theme="实", due_date=date(2026, 10, 1))
    progress.record_progress(get_user("cadre"), late, percent=50, note="进行中")
    done.status = "done"
    done.progress = 100
    tasks.create_task(get_user("other_office"), world.other_plan,
                      {"theme": "1", "title": "白地镇的任务", "report_section": 1, "owner": "other_cadre",
                       "due_date": date(2026, 11, 10)})
    db.session.commit()


def test_township_dashboard_counts_and_links(client, world):
    _world_with_tasks(world)
    login(client, "office")
    html = _text(client.get("/dashboard"))
    assert _stat(html, "全部任务") == 3 and _stat(html, "逾期") == 1 and _stat(html, "已结束") == 1
    assert "白地镇的任务" not in html and "逾期的任务" in html
    assert "各单位" not in html  # one township: no per-organisation table
    # Numbers link to the tasks behind them, and the list shows exactly those.
    assert 'href="/tasks?year=2026&amp;light=red"' in html
    listed = _text(client.get("/tasks?year=2026&light=red"))
    assert "逾期的任务" in listed and "按期的任务" not in listed
    assert "(五)" in html or "依法处置突发事件" in html  # report sections by name
    # Average progress per theme: 法 has one task at 50%.
    assert re.search(r"法 · 以“法”字推进法治云乐</td>\s*<td class=\"num\"><a[^>]*>1</a></td>\s*<td><div class=\"bar-row\">"
                     r"<div class=\"bar\" role=\"progressbar\" aria-valuenow=\"50\"", html)


def test_county_sees_each_township(client, world):
    _world_with_tasks(world)
    login(client, "viewer")
    html = _text(client.get("/dashboard"))
    assert _stat(html, "全部任务") == 4 and _stat(html, "逾期") == 2
    assert "各单位" in html
    org_rows = re.findall(r"<tr><td>(云乐镇|白地镇)</td>\s*<td class=\"num\"><a href=\"([^\"]+)\">(\d+)</a>", html)
    assert [(name, int(n)) for name, _, n in org_rows] == [("云乐镇", 3), ("白地镇", 1)]
    link = org_rows[1][1].replace("&amp;", "&")
    assert "白地镇的任务" in _text(client.get(link)) and "逾期的任务" not in _text(client.get(link))


def test_dashboard_refused_to_cadres_and_bad_year_ignored(client, world):
    login(client, "cadre")
    assert client.get("/dashboard").status_code == 403
    client.post("/logout")


def test_dashboard_with_a_bad_year(client, world):
    login(client, "office")
    assert client.get("/dashboard?year=abc").status_code == 200
    assert client.get("/dashboard?year=1999").status_code == 200


def test_a_county_sized_owner_table_shows_the_most_overdue_first_and_the_rest_on_request(client, world):
    from tracker.services.dashboard.summary import OWNER_ROWS
    from tracker.services.people import users
    town = get_user("office").org
    for i in range(OWNER_ROWS + 2):
        users.create_user(username=f"owner{i:02d}", org=town, role="cadre", name=f"责任人{i:02d}", password="secret-123")
    db.session.commit()
    world.task(title="最急的任务", owner="owner31", co_owners=[], due_date=date(2026, 11, 2))
    for i in range(OWNER_ROWS + 1):
        world.task(title=f"任务{i}", owner=f"owner{i:02d}", co_owners=[])
    login(client, "office")
    html = _text(client.get("/dashboard"))
    owners_table = html[html.index("按责任人"):]
    assert f"按责任人(逾期最多的{OWNER_ROWS}人)" in html
    assert owners_table.count("<tr><td>") == OWNER_ROWS
    assert owners_table.index("责任人31") < owners_table.index("责任人00")  # the overdue owner leads
    assert f"显示全部 {OWNER_ROWS + 2} 位责任人" in html and "责任人29" not in owners_table
    everyone = _text(client.get("/dashboard?owners=all"))
    assert everyone[everyone.index("按责任人"):].count("<tr><td>") == OWNER_ROWS + 2
    assert "显示全部" not in everyone


def test_a_city_sized_unit_table_shows_the_most_overdue_first_and_the_rest_on_request(client, world, monkeypatch):
    from tracker.dashboard import views
    monkeypatch.setattr(views, "ORG_ROWS", 1)  # two townships stand in for a city's hundreds of units
    world.task(title="按期的任务")
    tasks.create_task(get_user("other_office"), world.other_plan,
                      {"theme": "1", "title": "白地镇的逾期任务", "report_section": 1, "owner": "other_cadre",
                       "due_date": date(2026, 11, 10)})
    db.session.commit()
    login(client, "viewer")
    html = _text(client.get("/dashboard"))
    table = html[html.index("各单位"):html.index("按主题")]
    assert "各单位(逾期最多的1个)" in table and "白地镇" in table and "云乐镇" not in table
    assert "显示全部 2 个单位" in table
    every = _text(client.get("/dashboard?orgs=all"))
    table = every[every.index("各单位"):every.index("按主题")]
    assert "云乐镇" in table and "白地镇" in table and "显示全部" not in table
