"""Rankings and the 通报 (issue 17.4): one table of cases through the rate rules and their SQL twins, period
bounds, holiday due dates, what is left out, rates over no tasks, rights, the page, the dashboard and the .docx."""
from datetime import date, datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from docx import Document
from sqlalchemy import select

from tests.factories import PASSWORD, csrf_token
from tracker.extensions import db
from tracker.models import AuditEntry, PlanTask, TaskRequest
from tracker.models.types import recorded_at
from tracker.services.people.users import get_user
from tracker.services.plans import carry_over
from tracker.services.rankings import bulletin
from tracker.services.rankings.ranking import Row, boards, rank
from tracker.services.rankings.rates import (
    as_percent,
    counted_sql,
    done_on_time_sql,
    is_counted,
    is_done_on_time,
    rate,
)
from tracker.services.tasks import requests
from tracker.services.tasks import verbs as tasks

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(y, m, d, hour=10, minute=0) -> datetime:
    return datetime(y, m, d, hour, minute, tzinfo=SHANGHAI)


def finish(task, asked: datetime, *, approve=True, by="cadre"):
    """The owner asks for completion at `asked`; the committee approves (or returns) it."""
    with recorded_at(asked):
        requests.request_completion(get_user(by), task, "已完成")
    requests.review(get_user("office"), task, approve, "" if approve else "材料不全")
    db.session.commit()
    return task


# ───────────── one table of cases: (name, due date, completion asked at, approved, on time) ─────────────
# 2026: 1–7 October are days off (国庆), 8 October the first working day; 14 and 21 November are Saturdays.
ON_TIME = [
    ("asked on the due date, late evening", date(2026, 11, 20), at(2026, 11, 20, 23, 59), True, True),
    ("asked a minute after the due date ended", date(2026, 11, 20), at(2026, 11, 21, 0, 1), True, False),
    ("due on a holiday, asked the first working day after", date(2026, 10, 3), at(2026, 10, 8, 18), True, True),
    ("due on a holiday, asked the day after that", date(2026, 10, 3), at(2026, 10, 9, 9), True, False),
    ("due on a Saturday, asked on Monday", date(2026, 11, 14), at(2026, 11, 16, 9), True, True),
    ("asked long before", date(2026, 9, 30), at(2026, 9, 1, 9), True, True),
    ("asked on time, not yet approved", date(2026, 11, 20), at(2026, 11, 19), False, False),
]


@pytest.mark.parametrize("name, due, asked, approved, expected", ON_TIME, ids=[c[0] for c in ON_TIME])
def test_the_on_time_rule(app, name, due, asked, approved, expected):
    assert is_done_on_time("done" if approved else "completion_requested", due, asked) is expected


PERIOD = (date(2026, 10, 8), date(2026, 10, 30))
COUNTED = [
    ("due on a holiday before the period, met on its first day", "assigned", date(2026, 10, 3), True),
    ("due the working day before the period", "assigned", date(2026, 9, 30), False),
    ("due on its last day", "done", date(2026, 10, 30), True),
    ("due the Saturday after, met the Monday after the period", "assigned", date(2026, 10, 31), False),
    ("cancelled", "cancelled", date(2026, 10, 20), False),
    ("carried into next year", "carried_over", date(2026, 10, 20), False),
    ("a draft never assigned", "draft", date(2026, 10, 20), False),
    ("no due date (so never assigned)", "draft", None, False),
]


@pytest.mark.parametrize("name, status, due, expected", COUNTED, ids=[c[0] for c in COUNTED])
def test_which_tasks_count_in_a_period(app, name, status, due, expected):
    assert is_counted(status, due, *PERIOD) is expected


def test_a_rate_over_no_tasks_is_none_and_shown_as_a_dash():
    assert rate(0, 0) is None and as_percent(None) == "—"
    assert rate(1, 3) * 3 == 1 and as_percent(rate(1, 3)) == "33.3%"
    assert as_percent(rate(2, 2)) == "100%" and as_percent(rate(0, 4)) == "0%"


def test_the_sql_twins_agree_with_the_rules(world):
    """Every case of both tables made as a task: the SQL selects the tasks Python picks, no more, no less."""
    made = {}
    for name, due, asked, approved, _ in ON_TIME:
        task = world.task(title=name[:40], due_date=due, start_date=date(2026, 1, 1))
        if approved:
            finish(task, asked)
        else:
            with recorded_at(asked):
                requests.request_completion(get_user("cadre"), task, "已完成")
            db.session.commit()
        made[task.id] = task
    returned = world.task(title="退回后再申请", due_date=date(2026, 11, 20), start_date=date(2026, 1, 1))
    finish(returned, at(2026, 11, 19), approve=False)  # on time, sent back …
    finish(returned, at(2026, 11, 23))  # … asked again late: the request that made it done is the late one
    made[returned.id] = returned
    for name, status, due, _ in COUNTED:
        task = world.task(title=name[:40], due_date=due, start_date=None,
                          **({"owner": None, "co_owners": []} if status == "draft" else {}))
        if status == "cancelled":
            tasks.cancel_task(get_user("office"), task, "重复")
        elif status == "done":
            finish(task, at(2026, 10, 29))
        elif status == "carried_over":
            carry_over.carry_over(get_user("office"), world.plan, [task.id])
        db.session.commit()
        made[task.id] = db.session.get(PlanTask, task.id)
    asked_at = {r.task_id: r.created_at for r in db.session.scalars(
        select(TaskRequest).where(TaskRequest.status == "approved"))}
    rows = list(made.values())
    for start, end in (PERIOD, (date(2026, 1, 1), date(2026, 12, 31)), (date(2026, 10, 9), date(2026, 11, 20))):
        python_counted = {t.id for t in rows if is_counted(t.status, t.due_date, start, end)}
        python_on_time = {t.id for t in rows if t.id in python_counted
                          and is_done_on_time(t.status, t.due_date, asked_at.get(t.id))}
        ids = list(made)
        sql_counted = set(db.session.scalars(select(PlanTask.id).where(PlanTask.id.in_(ids), counted_sql(start, end))))
        dues = {t.due_date for t in rows}
        sql_on_time = set(db.session.scalars(
            select(PlanTask.id).outerjoin(TaskRequest, (TaskRequest.task_id == PlanTask.id)
                                          & (TaskRequest.status == "approved"))
            .where(PlanTask.id.in_(ids), counted_sql(start, end),
                   done_on_time_sql(TaskRequest.created_at, dues))))
        assert sql_counted == python_counted, (start, end)
        assert sql_on_time == python_on_time, (start, end)
        assert python_on_time  # the cases reach both answers
    assert {made[i].title for i in python_on_time} >= {"asked on the due date, late evening"[:40]}


# ───────────── the API: counts, ranks, ties, null rates, period ─────────────

@pytest.fixture
def ranked(world):
    """云乐镇's 2026 tasks by unit and owner, today 2026-11-25 (see conftest.TODAY)."""
    def make(unit, owner, due, asked=None, title=None):
        task = world.task(title=title or f"{unit}{due}", unit=unit, owner=owner, co_owners=[], due_date=due)
        if asked:
            finish(task, asked, by=owner)
        return task
    made = {
        "t1": make("司法所", "cadre", date(2026, 11, 20), at(2026, 11, 19)),  # done on time
        "t2": make("司法所", "cadre", date(2026, 11, 10), at(2026, 11, 12)),  # done late
        "t3": make("综治中心", "cadre2", date(2026, 11, 16), at(2026, 11, 16)),  # done on time
        "t4": make("综治中心", "cadre2", date(2026, 11, 18), title="排查矛盾纠纷隐患"),  # overdue
        "t5": make("党政办", "cadre3", date(2026, 12, 20)),  # open, not yet due
        "t6": make("党政办", "cadre3", date(2026, 12, 1), at(2026, 11, 24)),  # done on time
    }
    cancelled = make("便民服务中心", "cadre", date(2026, 11, 2))
    tasks.cancel_task(get_user("office"), cancelled, "合并到其他任务")
    carried = make("便民服务中心", "cadre", date(2026, 11, 3))
    carry_over.carry_over(get_user("office"), world.plan, [carried.id])
    db.session.commit()
    return made


def items(api, username, **query):
    response = api(username).get("/rankings?" + "&".join(f"{k}={v}" for k, v in query.items()))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_by_unit_ranks_by_on_time_then_completion_and_ties_share_a_rank(api, ranked):
    body = items(api, "office", year=2026, by="unit")
    got = [(i["name"], i["tasks"], i["done"], i["done_on_time"], i["overdue"], i["completion_rate"],
            i["on_time_rate"], i["rank"]) for i in body["items"]]
    assert got == [("司法所", 2, 2, 1, 0, 1.0, 0.5, 1),
                   ("党政办", 2, 1, 1, 0, 0.5, 0.5, 2),  # a tie: same rates, same rank, by name
                   ("综治中心", 2, 1, 1, 1, 0.5, 0.5, 2)]
    assert body["total"]["tasks"] == 6 and body["total"]["overdue"] == 1  # cancelled and carried left out
    assert (body["from"], body["to"]) == ("2026-01-01", "2026-12-31")


def test_by_owner_names_the_people(api, ranked):
    body = items(api, "leader", year=2026, by="owner")
    assert [(i["key"], i["name"], i["rank"]) for i in body["items"]] == [
        ("cadre", "cadre姓名", 1), ("cadre2", "cadre2姓名", 2), ("cadre3", "cadre3姓名", 2)]


def test_the_period_bounds_the_effective_due_dates(api, ranked):
    body = items(api, "office", year=2026, by="unit", **{"from": "2026-11-15", "to": "2026-11-30"})
    assert [(i["name"], i["tasks"], i["on_time_rate"], i["rank"]) for i in body["items"]] == [
        ("司法所", 1, 1.0, 1), ("综治中心", 2, 0.5, 2)]


def test_a_holiday_due_date_counts_in_the_period_of_its_first_working_day(api, world):
    task = world.task(title="国庆期间到期", due_date=date(2026, 10, 3))
    finish(task, at(2026, 10, 8, 17))
    inside = items(api, "office", year=2026, by="unit", **{"from": "2026-10-08", "to": "2026-10-31"})
    assert [(i["tasks"], i["on_time_rate"]) for i in inside["items"]] == [(1, 1.0)]
    before = items(api, "office", year=2026, by="unit", **{"from": "2026-09-01", "to": "2026-10-07"})
    assert before["items"] == [] and before["total"]["completion_rate"] is None


def test_the_county_ranks_its_townships_and_one_without_tasks_comes_last_with_null_rates(api, ranked):
    body = items(api, "county_office", year=2026, by="org")
    assert [(i["name"], i["tasks"], i["completion_rate"], i["on_time_rate"], i["rank"]) for i in body["items"]] == [
        ("云乐镇", 6, 0.6667, 0.5, 1), ("白地镇", 0, None, None, 2)]
    assert items(api, "office", year=2026, by="org")["items"] == []  # a township has nothing below it


def test_a_year_without_a_plan_gives_no_rows_and_null_totals(api, ranked):
    body = items(api, "office", year=2031, by="unit")
    assert body["items"] == [] and body["total"] == {**body["total"], "tasks": 0, "completion_rate": None,
                                                      "on_time_rate": None}


# ───────────── rights ─────────────

RIGHTS = [
    ("office", "owner", None, 200), ("office", "unit", None, 200), ("leader", "owner", None, 200),
    ("cadre", "unit", None, 200), ("cadre", "owner", None, 403), ("cadre", "org", None, 403),
    ("town_viewer", "owner", None, 403), ("town_viewer", "unit", None, 200),
    ("viewer", "owner", "town", 200), ("county_office", "owner", "town", 200), ("viewer", "owner", None, 403),
    ("county_office", "org", None, 200), ("other_office", "unit", "town", 404), ("office", "unit", "county", 404),
]


@pytest.mark.parametrize("username, by, org, status", RIGHTS, ids=[f"{u}-{b}-{o}" for u, b, o, _ in RIGHTS])
def test_who_sees_which_ranking(api, world, username, by, org, status):
    orgs = {"town": world.plan.org, "county": world.plan.org.parent}
    query = f"/rankings?year=2026&by={by}" + (f"&org={orgs[org].id}" if org else "")
    response = api(username).get(query)
    assert response.status_code == status, response.get_json()
    refused = db.session.scalars(select(AuditEntry).where(AuditEntry.actor_id == get_user(username).id,
                                                          AuditEntry.action == "rankings.read.refused")).all()
    assert len(refused) == (1 if status == 403 else 0)
    if status == 403:
        assert response.get_json()["error"]["code"] == "forbidden"
        assert refused[0].org_id == (orgs[org].id if org else get_user(username).org_id)


BAD = [
    ("", "年度"), ("year=abc&by=unit", "年度"), ("year=1999&by=unit", "年度"), ("year=2026", "排名方式"),
    ("year=2026&by=town", "排名方式"), ("year=2026&by=unit&from=2026-02-30", "起始日期"),
    ("year=2026&by=unit&from=2026-06-01&to=2026-05-01", "截止日期不能早于起始日期"),
    ("year=2026&by=unit&to=2028-01-01", "2026年1月1日至2027年12月31日"), ("year=2026&by=unit&org=x", "org"),
    ("year=2026&by=unit&from=" + "9" * 500, "起始日期"),
]


@pytest.mark.parametrize("query, words", BAD, ids=[b[0] or "nothing" for b in BAD])
def test_bad_queries_are_refused_in_chinese_and_not_audited(api, world, query, words):
    response = api("office").get("/rankings?" + query)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert words in error["message"] + "".join(error["fields"].values())
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action.like("rankings%"))) is None


# ───────────── 红榜 and 黑榜, the page, the dashboard ─────────────

def test_boards_take_the_top_and_bottom_three_and_leave_out_groups_without_tasks():
    rows = rank([Row(n, n, tasks, done, on_time) for n, tasks, done, on_time in [
        ("甲", 2, 2, 2), ("乙", 2, 2, 1), ("丙", 2, 1, 1), ("丁", 2, 1, 0), ("戊", 2, 0, 0), ("己", 4, 0, 0),
        ("庚", 2, 2, 0), ("辛", 0, 0, 0)]])
    top, bottom = boards(rows)
    assert [r.name for r in top] == ["甲", "乙", "丙"]
    assert [r.name for r in bottom] == ["己", "戊", "丁"]  # lowest first; 己 and 戊 tie at 0% (rank 6)
    assert rows[-1].name == "辛" and rows[-1].rank == 8
    assert [r.rank for r in rows] == [1, 2, 3, 4, 5, 6, 6, 8]
    assert boards(rows[:2]) == ([rows[0]], [rows[1]])
    assert boards(rows[:3]) == (rows[:2], [rows[2]])
    assert boards(rows[-1:]) == ([], [])


def login(client, username):
    token = csrf_token(client.get("/login").get_data(as_text=True))
    assert client.post("/login", data={"username": username, "password": PASSWORD,
                                       "csrf_token": token}).status_code == 302


def test_the_page_shows_the_lists_and_the_definitions(client, ranked):
    login(client, "office")
    html = client.get("/bulletin?year=2026&by=unit").get_data(as_text=True)
    assert "红榜" in html and "黑榜" in html and "统计口径" in html
    assert "办结率=已办结任务数÷完成时限在统计期内的任务数" in html and "顺延" in html
    assert html.index("司法所") < html.index("综治中心")


def test_the_county_page_shows_a_dash_for_a_township_without_tasks(client, ranked):
    login(client, "county_office")
    html = client.get("/bulletin").get_data(as_text=True)  # the county ranks its townships by default
    assert "按单位(下级)" in html and "白地镇" in html and "—" in html
    town = db.session.get(PlanTask, ranked["t1"].id).org
    link = f"/bulletin?year=2026&amp;org={town.id}&amp;by=unit"
    assert link in html  # each township opens its own ranking, which the county may see by owner too
    inner = client.get(f"/bulletin?year=2026&org={town.id}&by=owner").get_data(as_text=True)
    assert "cadre2姓名" in inner and "返回旌德县的排名" in inner


def test_a_cadre_asking_the_page_by_owner_is_refused_and_audited(client, ranked):
    login(client, "cadre")
    assert client.get("/bulletin?year=2026&by=owner").status_code == 403
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "rankings.read.refused"))
    html = client.get("/bulletin").get_data(as_text=True)
    assert "按责任单位" in html and "按责任人" not in html


def test_a_bad_page_query_is_a_message_not_an_error(client, ranked):
    login(client, "office")
    response = client.get("/bulletin?year=2026&by=unit&from=2026-13-01")
    assert response.status_code == 400 and "起始日期不是有效日期" in response.get_data(as_text=True)


def test_the_dashboard_shows_both_rates_for_the_year(client, ranked):
    login(client, "office")
    html = client.get("/dashboard?year=2026").get_data(as_text=True)
    assert "办结率与按期办结率" in html
    assert "66.7%" in html and "50%" in html  # 4 of 6 done, 3 of 6 on time


# ───────────── the 通报 (.docx) ─────────────

def test_periods_of_the_bulletin():
    q4 = bulletin.period(2026, "quarter", "4")
    assert (q4.start, q4.end, q4.title) == (date(2026, 10, 1), date(2026, 12, 31),
                                            "关于2026年第四季度法治建设重点任务推进情况的通报")
    feb = bulletin.period(2028, "month", "2")
    assert (feb.start, feb.end, feb.title) == (date(2028, 2, 1), date(2028, 2, 29),
                                               "关于2028年2月法治建设重点任务推进情况的通报")


def download(client, **query):
    return client.get("/bulletin/download?" + "&".join(f"{k}={v}" for k, v in query.items()))


def test_the_bulletin_docx_has_the_title_the_lists_and_the_overdue_tasks(client, ranked):
    login(client, "office")
    response = download(client, year=2026, by="unit", kind="quarter", number=4)
    assert response.status_code == 200
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    doc = Document(BytesIO(response.data))
    paragraphs = [(p.style.name, p.text) for p in doc.paragraphs]
    texts = [t for _, t in paragraphs]
    assert paragraphs[0] == ("公文标题", "关于2026年第四季度法治建设重点任务推进情况的通报")
    assert doc.core_properties.title == paragraphs[0][1]
    red, black, late = (texts.index(h) for h in ("二、红榜", "三、黑榜", "四、逾期未办结任务"))
    assert texts[red + 1].startswith("1．司法所：") and "按期办结率50%" in texts[red + 1]
    # Three units: the upper half (two) on 红榜, and 综治中心 with them, tied with 党政办; none left for 黑榜.
    assert [t.split("：")[0] for t in texts[red + 1:black]] == ["1．司法所", "2．党政办", "3．综治中心"]
    assert "不设黑榜" in texts[black + 1]
    assert not any(mark in "".join(texts) for mark in (",", ":", ";", "(")), "ASCII marks in the 通报"
    assert "排查矛盾纠纷隐患" in texts[late + 1] and "已逾期" in texts[late + 1]
    assert any(t.startswith("办结率=") for t in texts)
    assert paragraphs[-2] == ("发文机关署名", "云乐镇") and paragraphs[-1] == ("成文日期", "2026年11月25日")
    section = doc.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.left_margin.mm) == 28  # the report's form


def test_a_monthly_bulletin_counts_that_month_only(client, ranked):
    login(client, "county_office")
    doc = Document(BytesIO(download(client, year=2026, by="org", kind="month", number=12).data))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "关于2026年12月法治建设重点任务推进情况的通报"
    assert any("到期任务2项，已办结1项" in t for t in texts)  # t5 and t6 of 云乐镇


@pytest.mark.parametrize("query", [
    {"kind": "week", "number": 1}, {"kind": "quarter", "number": 5}, {"kind": "quarter", "number": 0},
    {"kind": "month", "number": 13}, {"kind": "month", "number": "x"}, {"kind": "month"},
    {"kind": "quarter", "number": "9" * 400}, {"year": "abc", "kind": "quarter", "number": 1}])
def test_bad_bulletin_periods_are_refused_with_a_message(client, ranked, query):
    login(client, "office")
    response = download(client, **{"year": 2026, "by": "unit", **query})
    assert response.status_code == 302
    with client.session_transaction() as session:
        messages = [m for c, m in session.get("_flashes", []) if c == "error"]
    assert messages and all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for m in messages)
