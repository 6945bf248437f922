"""我的任务 with filters, 新建年度计划, the 已结转 status of carried-over tasks, and forms free of WTForms
deprecation warnings."""
import re
import warnings
from datetime import date

import pytest
from sqlalchemy import select

from tests.browser_fixtures import login as browser_login
from tests.browser_fixtures import no_horizontal_scroll
from tests.factories import PASSWORD
from tests.test_statement_counts import count_statements
from tests.web_fixtures import login, post
from tracker.extensions import db
from tracker.models import AuditEntry, Plan, PlanTask, TaskRequest
from tracker.services.errors import Conflict
from tracker.services.people.users import get_user
from tracker.services.plans import carry_over as carrying
from tracker.services.plans import verbs as plans
from tracker.services.reminders.sql import OPEN_STATUSES
from tracker.services.reporting.collect import collect
from tracker.services.reporting.annex import annex_rows
from tracker.services.reporting.closing import next_plan, next_year, shortcomings
from tracker.services.reporting.writer import opening, task_paragraph
from tracker.services.tasks import progress, requests
from tracker.services.tasks import verbs as tasks
from tracker.services.tasks.lights import light


def _text(response):
    return response.get_data(as_text=True)


def _titles(html: str) -> list[str]:
    """Task titles in the order the cards show them."""
    return re.findall(r'class="task-title" href="/tasks/\d+">(?:↳ )?([^<]+)</a>', html)


@pytest.fixture
def mine(world):
    """Tasks of `cadre` (owned or co-owned) across themes, sections, units and states, and one of someone else."""
    t = {
        "overdue": world.task(title="清理历史积案", due_date=date(2026, 10, 9), report_section=3, unit="综治中心"),
        "fa": world.task(title="开展普法宣讲", report_section=5, unit="司法所"),
        "xin": world.task(title="一村一特色品牌", theme="新", report_section=6, unit="刘村村",
                          due_date=date(2026, 12, 1)),
        "helper": world.task(title="协办的调解台账", theme="实", owner="cadre2", co_owners=["cadre"], report_section=4,
                             unit="灵芝村"),
        "done": world.task(title="已经办完的培训"),
        "others": world.task(title="别人的任务", owner="cadre3", co_owners=[]),
    }
    progress.record_progress(get_user("cadre"), t["done"], percent=100, note="完成")
    requests.request_completion(get_user("cadre"), t["done"], "已完成")
    requests.review(get_user("leader"), t["done"], True, "同意")
    db.session.commit()
    return t


# ───────────────────────── 我的任务 with filters ─────────────────────────

def test_my_tasks_default_is_my_open_tasks_most_urgent_first(client, mine):
    login(client, "cadre")
    html = _text(client.get("/"))
    assert _titles(html) == ["清理历史积案", "一村一特色品牌", "开展普法宣讲", "协办的调解台账"]
    assert "别人的任务" not in html and "已经办完的培训" not in html
    # A GET form (works with JavaScript off), labelled in Chinese, closed until something is filtered.
    form = re.search(r'<details class="card filters-box">\s*<summary>搜索与筛选</summary>\s*'
                     r'<form method="get" action="/" class="filters">(.*?)</form>', html, re.S)
    assert form, html
    for label in ("搜索", "主题", "状态", "红黄绿灯", "报告板块", "责任单位", "排序"):
        assert f">{label}</label>" in form.group(1), label
    assert 'name="owner"' not in form.group(1) and 'name="org"' not in form.group(1)  # it is my list
    assert '<option selected value="">未办结</option>' in form.group(1)


@pytest.mark.parametrize("query,expected", [
    ("theme=新", ["一村一特色品牌"]),
    ("theme=实", ["协办的调解台账"]),
    ("light=red", ["清理历史积案"]),
    ("section=5", ["开展普法宣讲"]),
    ("unit=村", ["一村一特色品牌", "协办的调解台账"]),
    ("q=调解", ["协办的调解台账"]),
    ("q=积案&theme=法", ["清理历史积案"]),
    ("status=done", ["已经办完的培训"]),
    ("status=all&sort=title", sorted(["清理历史积案", "一村一特色品牌", "开展普法宣讲", "协办的调解台账", "已经办完的培训"])),
    ("sort=-due", ["开展普法宣讲", "协办的调解台账", "一村一特色品牌", "清理历史积案"]),
])
def test_my_tasks_filters_and_sorts(client, mine, query, expected):
    login(client, "cadre")
    html = _text(client.get(f"/?{query}"))
    titles = _titles(html)
    assert (titles if "sort" in query else sorted(titles)) == (expected if "sort" in query else sorted(expected))
    if not query.startswith("sort="):  # the filters stay in view, with the values chosen
        assert '<details class="card filters-box" open>' in html
    value = query.split("&")[0].split("=")[1]
    assert f'<option selected value="{value}">' in html or f'value="{value}"' in html
    assert "别人的任务" not in html


def test_my_tasks_closed_ones_have_no_progress_button(client, mine):
    login(client, "cadre")
    html = _text(client.get("/?status=done"))
    assert _titles(html) == ["已经办完的培训"] and "反馈进展" not in html
    assert "反馈进展" in _text(client.get("/"))


def test_my_tasks_bad_filter_values_are_reported_and_ignored(client, mine):
    login(client, "cadre")
    html = _text(client.get("/?theme=不存在&status=bogus&section=99&sort=evil&q=" + "长" * 101))
    assert html.count("不是有效的选择") >= 3 and "关键词不能超过100个字" in html
    assert sorted(_titles(html)) == sorted(["清理历史积案", "一村一特色品牌", "开展普法宣讲", "协办的调解台账"])
    html = _text(client.get("/?q=没有这样的任务"))
    assert "没有符合条件的任务" in html and "目前没有需要您办理的任务" not in html


def test_my_tasks_pagination_keeps_the_filters(client, world):
    for i in range(23):
        world.task(title=f"宣讲{i:02d}", theme="新")
    world.task(title="别的主题")
    login(client, "cadre")
    html = _text(client.get("/?theme=新&sort=title"))
    assert _titles(html) == [f"宣讲{i:02d}" for i in range(20)]
    assert re.search(r'href="/\?[^"]*page=2[^"]*"', html) and "theme=%E6%96%B0" in html
    html = _text(client.get("/?theme=新&sort=title&page=2"))
    assert _titles(html) == ["宣讲20", "宣讲21", "宣讲22"]


def _add_mine(world, n, start):
    for i in range(start, start + n):
        task = world.task(title=f"村级任务{i}", theme=["法", "新", "实"][i % 3], co_owners=["cadre2", "cadre3"],
                          unit=f"第{i}村", due_date=date(2026, 10, 1) if i % 2 else date(2026, 12, 20))
        progress.record_progress(get_user("cadre"), task, percent=10, note="开始")
    db.session.commit()


def test_my_tasks_statement_count_does_not_grow_with_rows(client, world):
    # Each page shows a task that is not red both times: the light rules are then read once, whatever the rows.
    paths = ["/", "/?per_page=100", "/?theme=法&status=all&sort=title&per_page=100",
             "/?light=red&q=村级&unit=村&section=5&sort=-progress&per_page=100"]
    _add_mine(world, 2, 0)
    login(client, "cadre")
    for path in paths:
        client.get(path)

    def count(path):
        db.session.expire_all()
        with count_statements() as counter:
            response = client.get(path)
        assert response.status_code == 200 and _titles(_text(response)), path
        return counter["n"]

    few = {path: count(path) for path in paths}
    _add_mine(world, 18, 2)
    assert {path: count(path) for path in paths} == few


def test_my_tasks_filters_fit_a_phone_without_javascript(live_server, phone_without_js, world):
    page = phone_without_js
    world.task(title="入户开展反电诈宣传,并建立村级宣传台账和工作照片档案", unit="刘村村")
    world.task(title="品牌", theme="新")
    browser_login(page, live_server, "cadre", PASSWORD)
    page.get_by_text("搜索与筛选").click()
    assert page.get_by_label("主题").is_visible() and no_horizontal_scroll(page)
    page.get_by_label("主题").select_option("新")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_load_state()
    assert "theme=" in page.url and page.get_by_role("link", name="品牌", exact=True).is_visible()
    assert page.get_by_role("link", name="入户开展反电诈宣传", exact=False).count() == 0
    assert no_horizontal_scroll(page)


# ───────────────────────── 新建年度计划 ─────────────────────────

def test_committee_creates_next_years_plan_with_errors_next_to_the_field(client, world):
    login(client, "office")
    html = _text(client.get("/plans"))
    assert 'href="/plans/new"' in html and "新建年度计划" in html
    html = _text(client.get("/plans/new"))
    assert 'value="2027"' in html  # the year after the latest plan
    assert "法 · 以“法”字推进法治云乐" in html  # themes carried from the latest plan
    before = db.session.scalar(select(db.func.count()).select_from(Plan))
    for year, message in [("abc", "年份须在2000到2100之间"), ("1999", "年份须在2000到2100之间"),
                          ("", "年份须在2000到2100之间"), ("2026", "该年度计划已存在")]:
        html = _text(post(client, "/plans/new", {"year": year, "title": "我的标题"}, page="/plans/new"))
        assert re.search(r'id="year-error">' + message, html), (year, html[:3000])
        assert 'value="我的标题"' in html  # the form comes back with what was typed
    assert db.session.scalar(select(db.func.count()).select_from(Plan)) == before
    assert client.post("/plans/new", data={"year": "2027"}).status_code == 400  # no CSRF token
    response = post(client, "/plans/new", {"year": " 2027 ", "title": ""}, page="/plans/new")
    assert response.status_code == 302
    plan = plans.plan_for(world.plan.org, 2027)
    assert response.headers["Location"].endswith(f"/plans?plan_id={plan.id}")
    assert plan.title == "云乐镇2027年法治政府建设工作计划"
    assert [(t.key, t.title) for t in plan.themes] == [(t.key, t.title) for t in world.plan.themes]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "plan.create",
                                                       AuditEntry.object_id == plan.id))
    assert entry.actor.username == "office" and entry.changes["year"] == [None, 2027]
    assert entry.changes["themes"] == ["法", "新", "实"]
    assert "云乐镇2027年法治政府建设工作计划" in _text(client.get(f"/plans?plan_id={plan.id}"))


def test_first_plan_of_an_organisation_gets_the_three_themes(client, world):
    login(client, "county_office")  # the county's committee: its organisation has no plan yet
    html = _text(client.get("/plans/new"))
    assert 'value="2026"' in html and "以“实”字坚持为民服务" in html
    assert post(client, "/plans/new", {"year": "2026", "title": "县级计划"}, page="/plans/new").status_code == 302
    plan = plans.plan_for(get_user("county_office").org, 2026)
    assert plan.title == "县级计划" and [t.key for t in plan.themes] == ["法", "新", "实"]
    assert plan.themes[0].title == "以“法”字推进法治建设"


@pytest.mark.parametrize("username", ["leader", "cadre", "viewer", "town_viewer"])
def test_new_plan_is_refused_and_not_offered_to_others(client, world, username):
    login(client, username)
    assert "/plans/new" not in _text(client.get("/plans"))
    assert client.get("/plans/new").status_code == 403
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|value="([^"]+)" name="csrf_token"',
                      _text(client.get("/")))
    data = {"year": "2030", "title": "越权"}
    if token:
        data["csrf_token"] = token.group(1) or token.group(2)
    assert client.post("/plans/new", data=data).status_code in (400, 403)
    assert db.session.scalar(select(Plan).where(Plan.year == 2030)) is None


def test_service_refuses_non_committee_and_records_it(world):
    from tracker.services.errors import PermissionDenied
    with pytest.raises(PermissionDenied):
        plans.create_year_plan(get_user("leader"), 2030, "")
    assert db.session.scalar(select(Plan).where(Plan.year == 2030)) is None


# ───────────────────────── 已结转 ─────────────────────────

@pytest.fixture
def year_end(world):
    """An overdue task with a pending extension, a sub-task, figures; a done task; a cancelled one."""
    office, cadre = get_user("office"), get_user("cadre")
    late = world.task(title="清理历史积案", due_date=date(2026, 6, 30), report_section=3)
    progress.record_progress(cadre, late, percent=40, note="已清理两件",
                             metrics=[{"name": "矛盾纠纷化解", "value": 2, "unit": "件"}])
    requests.request_extension(cadre, late, "2026-12-31", "当事人外出务工")
    child = tasks.create_task(office, world.plan, {"theme": "法", "title": "积案一号", "report_section": 3,
                                                   "owner": "cadre2", "parent_id": late.id,
                                                   "due_date": date(2026, 6, 30)})
    done = world.task(title="已办结的宣讲")
    progress.record_progress(cadre, done, percent=100, note="完成")
    requests.request_completion(cadre, done, "完成")
    requests.review(get_user("leader"), done, True, "同意")
    gone = world.task(title="取消的任务")
    tasks.cancel_task(office, gone, "不再需要")
    db.session.commit()
    return {"late": late, "child": child, "done": done, "gone": gone}


def test_carry_over_closes_the_originals_as_carried_over(client, world, year_end):
    late, child = year_end["late"], year_end["child"]
    login(client, "cadre")
    assert "清理历史积案" in _text(client.get("/"))
    record = carrying.carry_over(get_user("office"), world.plan, [late.id])
    db.session.commit()
    plan_id = record.to_plan_id
    assert len(record.moved) == 1
    new = db.session.scalar(select(PlanTask).where(PlanTask.plan_id == plan_id))
    db.session.expire_all()
    assert (late.status, late.is_closed, late.status_label) == ("carried_over", True, "已结转")
    assert late.closed_at is not None and child.status == "carried_over"  # its open sub-task goes with it
    assert year_end["done"].status == "done" and year_end["gone"].status == "cancelled"
    assert light(late, date(2026, 11, 25)) == "grey" and "carried_over" not in OPEN_STATUSES
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.task_id == late.id,
                                                       AuditEntry.action == "task.carry_over"))
    assert entry.actor.username == "office"
    assert entry.changes == {"status": ["in_progress", "carried_over"], "carried_to": new.id, "to_year": 2027}
    assert new.carried_from_id == late.id
    # The pending extension request moves with the work, still pending, to be decided on the new task.
    assert db.session.execute(select(TaskRequest.task_id, TaskRequest.status).where(
        TaskRequest.kind == "extension")).all() == [(new.id, "pending")]
    # In 我的任务 the work goes on as next year's task; the original is there under its own status.
    mine = _text(client.get("/"))
    assert f'href="/tasks/{new.id}"' in mine and f'href="/tasks/{late.id}"' not in mine
    assert _titles(_text(client.get("/?status=carried_over"))) == ["清理历史积案"]
    html = _text(client.get(f"/tasks/{late.id}"))
    assert "已结转" in html and "结转下一年度" in html and f'href="/tasks/{late.id}/progress"' not in html
    assert _titles(_text(client.get("/tasks?status=carried_over"))) == ["清理历史积案", "积案一号"]
    # Carrying over twice is refused: the original is closed already.
    with pytest.raises(Conflict):
        carrying.carry_over(get_user("office"), world.plan, [late.id])


def test_carried_over_task_in_the_api(client, api, world, year_end):
    carrying.carry_over(get_user("office"), world.plan, [year_end["late"].id])
    db.session.commit()
    office = api("office")
    body = office.get(f"/tasks/{year_end['late'].id}").get_json()
    assert (body["status"], body["light"], body["overdue"]) == ("carried_over", "grey", False)
    listed = office.get(f"/tasks?plan_id={world.plan.id}&status=carried_over").get_json()
    assert {t["title"] for t in listed["items"]} == {"清理历史积案", "积案一号"}
    refused = api("cadre").post(f"/tasks/{year_end['late'].id}/progress", json={"percent": 50, "note": "继续"})
    assert refused.status_code == 409 and "已结转" in refused.get_json()["error"]["message"]


def test_year_report_still_counts_carried_tasks(app, world, year_end):
    before = collect(world.plan, date(2027, 1, 10))
    carrying.carry_over(get_user("office"), world.plan, [year_end["late"].id])
    db.session.commit()
    db.session.expire_all()
    after = collect(world.plan, date(2027, 1, 10))
    figures = lambda data: [(f.name, f.unit, f.total, f.cancelled_total) for f in data.figures]  # noqa: E731
    assert figures(after) == figures(before) == [("矛盾纠纷化解", "件", 2, 0)]
    late = next(t for t in after.tasks if t.title == "清理历史积案")
    # Its pending extension request went on with the work to 2027 and is that task's now.
    assert late.is_unfinished and late.extension_reasons == []  # the pending request went on to 2027
    paragraph = task_paragraph(1, late)  # the office's words; that it was carried over is the annex's to say
    assert "结转" not in paragraph and "取消" not in paragraph
    row = next(r for r in annex_rows(after, 2027) if r[1] == "清理历史积案")
    assert row[3] == "已结转" and "结转至2027年" in row[5]
    assert "未能在完成时限内办结" in shortcomings(after, "云乐镇").text  # still a shortcoming of 2026
    outline = next_plan(world.plan)
    three = next_year(after, "云乐镇", outline)
    assert outline[0] == 2027 and three.text.startswith("2027年") and "清理历史积案" in three.text
    assert "取消的任务" not in three.text and late.id in three.tasks
    text = opening(after, "云乐镇").text
    assert "结转下一年度2项" in text and "已办结1项" in text and "取消" not in text


# ───────────────────────── WTForms deprecations ─────────────────────────

def test_no_wtforms_deprecation_warning_on_any_page(app, client, world):
    task = world.task()
    login(client, "office")
    known = {"task_id": task.id, "plan_id": world.plan.id, "user_id": get_user("cadre").id, "year": 2026}
    paths = [r.build({name: known.get(name, 1) for name in r.arguments}, append_unknown=False)[1]
             for r in app.url_map.iter_rules()
             if "GET" in r.methods and not r.endpoint.startswith(("api.", "static"))]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for path in paths:
            client.get(path)
            db.session.rollback()
        from tracker.reminders import forms as notice_forms
        for name in ("RulesForm", "OverrideForm", "RecurringForm"):
            with app.test_request_context():
                getattr(notice_forms, name)(meta={"csrf": False})
    ours = [w for w in caught if issubclass(w.category, DeprecationWarning) and "wtforms" in str(w.filename)
            or "SelectChoice" in str(w.message)]
    assert ours == [], [str(w.message) for w in ours]
    assert len(paths) > 20
