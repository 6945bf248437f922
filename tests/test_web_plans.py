"""The plan page: themes with progress, create, split and bulk-assign tasks; the light filter agrees with lights.py."""
import re
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select

from tests.conftest import TODAY
from tests.web_fixtures import login, post
from tracker.extensions import db
from tracker.services.tasks.lights import LIGHTS
from tracker.models import PlanTask
from tracker.services.people.users import get_user
from tracker.services.tasks import progress
from tracker.services.tasks.lights import light
from tracker.services.tasks.lists import ListFilters, task_list


def _text(response):
    return response.get_data(as_text=True)


def test_plan_page_shows_each_theme_with_its_progress(client, world):
    a = world.task(title="学法任务", theme="法")
    world.task(title="品牌任务", theme="新")
    progress.record_progress(get_user("cadre"), a, percent=80, note="进展")
    db.session.commit()
    login(client, "cadre")
    html = _text(client.get("/plans"))
    assert "云乐镇2026年法治政府建设工作计划" in html
    assert re.search(r"法 · 以“法”字推进法治云乐</h2>\s*<div class=\"bar-row\">.*?aria-valuenow=\"80\"", html, re.S)
    assert re.search(r"新 · 以“新”字打造特色品牌</h2>\s*<div class=\"bar-row\">.*?aria-valuenow=\"0\"", html, re.S)
    assert "新建任务" not in html and "批量交办" not in html  # a cadre manages nothing
    html = _text(client.get(f"/plans?plan_id={world.plan.id}&theme=新"))
    assert "品牌任务" in html and "学法任务" not in html


def test_other_townships_plan_is_not_found(client, world):
    login(client, "cadre")
    assert client.get(f"/plans?plan_id={world.other_plan.id}").status_code == 404
    assert client.get("/plans?plan_id=abc").status_code == 200


def test_committee_creates_a_task_with_errors_shown_then_fixed(client, world):
    login(client, "office")
    page = f"/plans/{world.plan.id}/tasks/new"
    bad = {"title": "", "theme": "法", "report_section": "5", "owner": "cadre", "lead": "leader",
           "unit": "司法所", "start_date": "2026-05-01", "due_date": "2026-04-31", "description": "说明文字"}
    html = _text(post(client, page, bad, page=page))
    assert "任务名称不能为空" in html and "完成时限不是有效日期" in html
    assert "说明文字" in html and 'value="2026-04-31"' in html
    assert db.session.query(PlanTask).count() == 0
    good = dict(bad, title="村居法律顾问全覆盖", due_date="2026-12-20", co_owners=["cadre2", "cadre3"])
    response = post(client, page, good, page=page)
    assert response.status_code == 302
    task = db.session.query(PlanTask).one()
    assert task.status == "assigned" and [u.username for u in task.co_owners] == ["cadre2", "cadre3"]
    # Without an owner it is a draft.
    post(client, page, dict(bad, title="草稿", owner="", due_date=""), page=page)
    assert db.session.query(PlanTask).filter_by(title="草稿").one().status == "draft"


def test_split_into_subtasks_all_or_nothing(client, world):
    parent = world.task(title="一村一特色")
    login(client, "office")
    page = f"/tasks/{parent.id}/split"
    # As a browser sends it: every row, the unused ones empty.
    blank = {f"rows-{i}-{k}": "" for i in range(5) for k in ("title", "owner", "due_date")}
    html = _text(post(client, page, {**blank, "rows-0-title": "刘村村议事会", "rows-0-owner": "cadre2",
                                     "rows-0-due_date": "2026-12-01", "rows-2-title": "云乐村调解室",
                                     "rows-2-owner": "cadre3", "rows-2-due_date": "2026-13-01"}, page=page))
    assert re.search(r'id="rows-2-due_date-error">完成时限不是有效日期', html)
    assert 'value="刘村村议事会"' in html
    assert db.session.query(PlanTask).count() == 1
    response = post(client, page, {**blank, "rows-0-title": "刘村村议事会", "rows-0-owner": "cadre2",
                                   "rows-0-due_date": "2026-12-01", "rows-2-title": "云乐村调解室",
                                   "rows-2-owner": "cadre3", "rows-2-due_date": "2026-12-10"}, page=page)
    assert response.status_code == 302
    db.session.expire_all()
    subs = db.session.query(PlanTask).filter(PlanTask.parent_id == parent.id).order_by(PlanTask.id).all()
    assert [(s.title, s.owner.username, s.lead.username, s.theme.key) for s in subs] == [
        ("刘村村议事会", "cadre2", "leader", "法"), ("云乐村调解室", "cadre3", "leader", "法")]
    assert "刘村村议事会" in _text(client.get(f"/tasks/{parent.id}"))


def test_bulk_assign_several_drafts(client, world):
    drafts = [world.task(title=f"草稿{i}", owner=None, co_owners=[], due_date=None) for i in range(3)]
    login(client, "office")
    page = f"/plans?plan_id={world.plan.id}"
    assert 'id="bulk-form"' in _text(client.get(page))
    action = f"/plans/{world.plan.id}/bulk-assign"
    html = _text(post(client, action, {"b-task_ids": [str(drafts[0].id), str(drafts[1].id)], "b-owner": "cadre2",
                                       "b-due_date": ""}, page=page))
    assert "请填写完成时限" in html and "已选 2 项" in html
    html = _text(post(client, action, {"b-task_ids": [], "b-owner": "cadre2", "b-due_date": "2026-12-01"}, page=page))
    assert "请先勾选要交办的任务" in html
    response = post(client, action, {"b-task_ids": [str(drafts[0].id), str(drafts[1].id)], "b-owner": "cadre2",
                                     "b-lead": "leader2", "b-due_date": "2026-12-01"}, page=page)
    assert response.status_code == 302
    db.session.expire_all()
    got = {t.title: (t.status, t.owner and t.owner.username, t.due_date) for t in db.session.query(PlanTask)}
    assert got["草稿0"] == ("assigned", "cadre2", date(2026, 12, 1))
    assert got["草稿1"] == ("assigned", "cadre2", date(2026, 12, 1))
    assert got["草稿2"] == ("draft", None, None)


def test_bulk_assign_is_refused_to_others(client, app, world):
    draft = world.task(title="草稿", owner=None, co_owners=[], due_date=None)
    data = {"b-task_ids": [str(draft.id)], "b-owner": "cadre2", "b-due_date": "2026-12-01"}
    login(client, "leader")
    assert post(client, f"/plans/{world.plan.id}/bulk-assign", data).status_code == 403
    from tests.web_fixtures import as_user
    with as_user(app, "other_office") as other:
        assert post(other, f"/plans/{world.plan.id}/bulk-assign", data).status_code == 404
        # Their own plan, but our task: not found, and nothing changes.
        assert post(other, f"/plans/{world.other_plan.id}/bulk-assign", data).status_code == 404
    db.session.expire_all()
    assert db.session.get(PlanTask, draft.id).status == "draft"


def test_light_filter_in_sql_agrees_with_the_python_rule(app, world):
    """Every combination of due date, status and staleness gets the same light from SQL as from lights.light."""
    office = get_user("office")
    # Around TODAY (Wed 2026-11-25): the weekend 11-21/22 (a due date then is met on Monday 11-23) and
    # 11-28/29, the third and fourth working days after today (11-30, 12-01), and their neighbours.
    dues = [None, TODAY - timedelta(days=1), TODAY - timedelta(days=2), date(2026, 11, 22), date(2026, 11, 21),
            TODAY, date(2026, 11, 27), date(2026, 11, 28), date(2026, 11, 29), date(2026, 11, 30), date(2026, 12, 1),
            date(2026, 12, 2), date(2026, 12, 31)]
    for i, due in enumerate(dues):
        world.task(title=f"t{i}", due_date=due, owner="cadre" if due else None, co_owners=[])
    stale = world.task(title="stale", due_date=date(2026, 12, 31))
    stale.assigned_at = datetime(2026, 10, 1, tzinfo=timezone.utc)
    boundary = world.task(title="boundary", due_date=date(2026, 12, 31))
    boundary.assigned_at = datetime(2026, 10, 26, 0, 0, tzinfo=timezone.utc)
    draft_late = world.task(title="draft-late", owner=None, co_owners=[], due_date=TODAY - timedelta(days=3))
    done = world.task(title="done", due_date=TODAY - timedelta(days=5))
    done.status = "done"
    db.session.commit()
    assert draft_late.status == "draft"
    everything, _ = task_list(office, ListFilters(), TODAY, 1, 100)
    expected = {t.title: light(t, TODAY) for t in everything}
    assert set(expected.values()) == {"red", "yellow", "green", "none", "grey"}  # drafts: none (待交办)
    for lamp in LIGHTS:
        rows, total = task_list(office, ListFilters(light=lamp), TODAY, 1, 100)
        assert sorted(t.title for t in rows) == sorted(k for k, v in expected.items() if v == lamp), lamp
        assert total == len(rows)
    # Most urgent first: reds, yellows, those to assign, greens, then the closed.
    rank = {"red": 0, "yellow": 1, "none": 2, "green": 3, "grey": 4}
    order = [rank[expected[t.title]] for t in everything]
    assert order == sorted(order)
    # Page by page, each light read only as far as the page needs, gives the order of sorting every task at once.
    from tracker.services.tasks.lists import _filtered, _order
    full = [t.id for t in db.session.scalars(_order(_filtered(office, ListFilters(), TODAY), "urgency", TODAY))]
    assert [t.id for t in everything] == full
    for per_page in (1, 4, 7):
        paged = [t.id for page in range(1, len(full) // per_page + 2)
                 for t in task_list(office, ListFilters(), TODAY, page, per_page)[0]]
        assert paged == full, per_page


def test_light_filter_follows_an_organisations_own_thresholds(app, world):
    """Where the committee set its own limits (reminders feature), SQL still agrees with lights.light."""
    import pytest
    rules = pytest.importorskip("tracker.services.reminders.rules")
    from tracker.services.people.orgs import resolve_org
    data = {"due_soon_workdays": 10, "escalate_lead_after": 1, "escalate_committee_after": 3, "stalled_days": 365,
            "stalled_repeat_days": 7, "review_wait_workdays": 2, "digest_time": "09:00", "disabled_kinds": []}
    rules.save_rules(get_user("office"), resolve_org("旌德县/云乐镇"), data)
    for i, due in enumerate([date(2026, 12, 4), date(2026, 12, 8), date(2026, 12, 31)]):
        world.task(title=f"t{i}", due_date=due)
    db.session.commit()
    from flask import g
    g.pop("_reminder_rules", None)
    office = get_user("office")
    everything, _ = task_list(office, ListFilters(), TODAY, 1, 100)
    expected = {t.title: light(t, TODAY) for t in everything}
    assert expected["t1"] == "yellow"  # 9 working days away: within this township's 10, not the default 3
    for lamp in ("red", "yellow", "green", "grey"):
        rows, _ = task_list(office, ListFilters(light=lamp), TODAY, 1, 100)
        assert sorted(t.title for t in rows) == sorted(k for k, v in expected.items() if v == lamp), lamp


def test_every_sort_pages_like_one_sorted_list(world):
    """The ids of a page are sorted and offset alone, then their rows loaded: page by page gives the whole list's
    order, ties broken by id, and tasks without a due date come last by due date either way."""
    from tracker.services.tasks.lists import SORTS
    office = get_user("office")
    dues = [None, date(2026, 12, 1), None, date(2026, 11, 2), date(2026, 12, 1), date(2027, 3, 1), None]
    for i, due in enumerate(dues):
        task = world.task(title=f"任务{i % 3}", due_date=due, owner="cadre" if due else None, co_owners=[])
        task.progress = (i * 37) % 100
    db.session.commit()
    undated = {t.id for t in db.session.scalars(select(PlanTask).where(PlanTask.due_date.is_(None)))}
    for sort in SORTS:
        everything = [t.id for t in task_list(office, ListFilters(sort=sort), TODAY, 1, 100)[0]]
        assert len(everything) == len(dues), sort
        for per_page in (1, 2, 3):
            paged = [t.id for page in range(1, len(dues) // per_page + 2)
                     for t in task_list(office, ListFilters(sort=sort), TODAY, page, per_page)[0]]
            assert paged == everything, (sort, per_page)
        if sort in ("due", "-due"):
            assert set(everything[-len(undated):]) == undated, sort
    by_due = [(t.due_date, t.id) for t in task_list(office, ListFilters(sort="due"), TODAY, 1, 100)[0]]
    assert [d for d, _ in by_due if d] == sorted(d for d, _ in by_due if d)
    assert [i for d, i in by_due] == [i for d, i in sorted(by_due, key=lambda r: (r[0] is None, r[0] or TODAY, r[1]))]
    by_due_desc = [(t.due_date, t.id) for t in task_list(office, ListFilters(sort="-due"), TODAY, 1, 100)[0]]
    dated = sorted((r for r in by_due_desc if r[0]), key=lambda r: (-r[0].toordinal(), r[1]))
    assert by_due_desc == dated + sorted(r for r in by_due_desc if r[0] is None)  # latest first, ties by id


def test_bulk_assign_sets_unit_and_co_owners_and_asks_before_a_past_due_date(client, world):
    drafts = [world.task(title=f"草稿{i}", owner=None, co_owners=[], due_date=None) for i in range(2)]
    login(client, "office")
    page = f"/plans?plan_id={world.plan.id}"
    action = f"/plans/{world.plan.id}/bulk-assign"
    data = {"b-task_ids": [str(d.id) for d in drafts], "b-owner": "cadre2", "b-due_date": "2026-11-20",
            "b-unit": "司法所", "b-co_owners": ["cadre3", "cadre2"]}
    html = _text(post(client, action, data, page=page))
    assert "完成时限2026年11月20日已经过去" in html and 'name="b-allow_past"' in html
    assert 'class="error-summary' in html and 'action="/plans/%d/bulk-assign#b-errors"' % world.plan.id in html
    db.session.expire_all()
    assert db.session.get(PlanTask, drafts[0].id).status == "draft"
    assert post(client, action, {**data, "b-allow_past": "y"}, page=page).status_code == 302
    db.session.expire_all()
    for draft in drafts:
        task = db.session.get(PlanTask, draft.id)
        assert (task.owner.username, task.unit, [u.username for u in task.co_owners], task.due_date) == (
            "cadre2", "司法所", ["cadre3"], date(2026, 11, 20))


def test_the_county_list_stops_counting_at_the_cap_and_still_pages_to_the_end(client, app, world):
    """Past LIST_COUNT_CAP the list says 余 instead of counting every task (issue 19); every task is still
    reachable page by page, and the last page offers no next one."""
    titles = [f"封顶计数任务{i}" for i in range(5)]
    for title in titles:
        world.task(title=title)
    db.session.commit()
    login(client, "office")
    everything = len(_text(client.get("/tasks?q=封顶计数&per_page=100")).split('class="task-title"')) - 1
    assert everything == 5
    app.config["LIST_COUNT_CAP"] = 3
    seen, page = [], 1
    while True:
        html = _text(client.get(f"/tasks?q=封顶计数&per_page=2&page={page}"))
        assert "共 3余 项任务" in html and "共 3余 条" in html
        assert f"第 {page} 页" in html and " / " not in re.search(r"第 [^<]*页", html).group(0)
        seen += re.findall(r"封顶计数任务\d", html)
        if 'rel="next"' not in html:
            break
        page += 1
    assert page == 3 and sorted(seen) == sorted(titles)
    app.config["LIST_COUNT_CAP"] = 5  # exactly at the cap: counted, not "余"
    html = _text(client.get("/tasks?q=封顶计数&per_page=2"))
    assert "共 5 项任务" in html and "第 1 / 3 页" in html
