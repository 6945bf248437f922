"""The committee's own words on the report page (issue 15.4, 15.5): 报告摘要 of unfinished tasks, the 原因 of
each shortcoming, part 三 naming next year, and every text of the draft in full-width punctuation."""
import re
import zipfile
from datetime import date
from io import BytesIO

import pytest
from sqlalchemy import select

from tests.conftest import TODAY
from tests.factories import csrf_token
from tracker.extensions import db
from tracker.models import AuditEntry, PlanTask, ProgressUpdate
from tracker.services import audit
from tracker.services.demo import DEMO_PASSWORD, load_demo
from tracker.services.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tracker.services.people import users
from tracker.services.plans import verbs as plans
from tracker.services.reporting import choices, closing
from tracker.services.reporting import draft as drafts
from tracker.services.reporting.render import to_docx, to_markdown
from tracker.services.tasks import verbs as tasks

DAY = date(2025, 1, 15)
# An ASCII mark beside a Chinese character (or a full-width one): what GB/T 15834 has no place for in the body.
CJK = "\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”"
ASCII_BESIDE_CJK = re.compile(rf"(?<=[{CJK}])[,;:()]|[,;:()](?=[{CJK}])")


@pytest.fixture
def report(app):
    load_demo(TODAY)
    db.session.commit()
    office = users.get_user("office")
    result = drafts.generate(office, office.org, 2024, DAY)
    db.session.commit()
    return result


def demo_task(ref: str) -> PlanTask:
    return db.session.scalar(select(PlanTask).where(PlanTask.demo_ref == ref, PlanTask.plan.has(year=2024)))


def part_one(draft) -> str:
    return "\n".join(s.text for s in draft.sections if s.part == 1)


def test_a_summary_tells_an_unfinished_task_instead_of_its_latest_note(report):
    office = users.get_user("office")
    hall = demo_task("xin-03")  # 芝乡议事厅, carried over at 95 %
    offered = choices.choices_for(report, DAY)
    assert hall.id in [t.id for t in offered.tasks]
    assert all(t.status != "cancelled" and not (t.status == "done" and t.summary) for t in offered.tasks)
    latest = "合作社分红方案经议事厅协商后公示无异议"
    assert latest in part_one(report)
    draft = choices.set_summary(office, report, hall.id, "议事厅全年议事6次,协商解决分红等事项4件(已公示)",
                                base_generation=report.generation, today=DAY)
    db.session.commit()
    text = part_one(draft)
    assert "建设“芝乡议事厅”。议事厅全年议事6次，协商解决分红等事项4件（已公示）。" in text and latest not in text
    assert draft.summaries == {str(hall.id): "议事厅全年议事6次，协商解决分红等事项4件（已公示）"}
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "report.summary")).one()
    assert entry.changes["task"] == hall.id
    # an empty summary gives the task its latest note again
    draft = choices.set_summary(office, draft, hall.id, "  ", base_generation=draft.generation, today=DAY)
    assert latest in part_one(draft) and draft.summaries == {}


def test_summaries_are_refused_for_told_tasks_stale_pages_and_other_people(report):
    office = users.get_user("office")
    told = demo_task("fa-01")  # 中心组学法: its approved 办结情况 tells it
    with pytest.raises(NotFound):
        choices.set_summary(office, report, told.id, "改写", base_generation=report.generation, today=DAY)
    with pytest.raises(NotFound):
        choices.set_summary(office, report, "99999999", "改写", base_generation=report.generation, today=DAY)
    hall = demo_task("xin-03")
    with pytest.raises(ValidationFailed, match="不能超过1000"):
        choices.set_summary(office, report, hall.id, "字" * 1001, base_generation=report.generation, today=DAY)
    with pytest.raises(Conflict) as stale:
        choices.set_summary(office, report, hall.id, "改写", base_generation=report.generation - 1, today=DAY)
    assert audit.is_kept(stale.value)
    db.session.rollback()
    for username in ("lead_law", "county", "sifa", "baidi_office"):
        with pytest.raises(PermissionDenied):
            choices.set_summary(users.get_user(username), report, hall.id, "改写",
                                base_generation=report.generation, today=DAY)


def test_the_committee_picks_or_writes_each_shortcomings_cause(report):
    office = users.get_user("office")
    found = choices.choices_for(report, DAY).shortcomings
    assert [s.kind for s in found] == ["overdue"]  # the three carried-over tasks; the extension is not one
    two = report.section("2").text
    assert "原因主要是" + closing.CAUSES["coordination"] in two
    draft = choices.set_cause(office, report, "overdue", "law", "", base_generation=report.generation, today=DAY)
    assert "原因主要是" + closing.CAUSES["law"] + "。" in draft.section("2").text
    assert closing.CAUSES["coordination"] not in draft.section("2").text
    draft = choices.set_cause(office, draft, "overdue", "own", "原因主要是:涉及县级部门,协调周期长",
                              base_generation=draft.generation, today=DAY)
    assert "原因主要是涉及县级部门，协调周期长。" in draft.section("2").text
    assert draft.causes == {"overdue": "涉及县级部门，协调周期长"}
    for kind, choice, text, error in (("overdue", "own", " ", ValidationFailed),
                                      ("overdue", "bad", "", ValidationFailed), ("late", "law", "", NotFound)):
        with pytest.raises(error):
            choices.set_cause(office, draft, kind, choice, text, base_generation=draft.generation, today=DAY)
    with pytest.raises(PermissionDenied):
        choices.set_cause(users.get_user("county"), draft, "overdue", "law", "", base_generation=draft.generation,
                          today=DAY)


def test_part_three_names_next_year_carried_work_as_a_plan_and_next_years_plan_when_there(report):
    three = report.section("3").text
    # the demo has no 2025 plan (its unfinished tasks went to the current year's): the carried work, as planned
    assert three.startswith("2025年，云乐镇") and "2026" not in three
    assert "一是以“法”字推进法治云乐。重点抓好上年遗留3件风险隐患攻坚销号，继续滚动排查。" in three
    assert next(r for r in report.annex if r[1].startswith("灵芝村"))[5].endswith("结转至2026年继续推进")
    office = users.get_user("office")
    plan = plans.create_plan(office.org, 2025, "云乐镇2025年法治政府建设工作计划",
                             [("法", "以“法”字推进法治云乐"), ("实", "以“实”字办好为民实事")], actor=office)
    for theme, title in (("法", "领导干部应知应会法律法规清单学习"), ("实", "法律援助进村入户"),
                         ("实", "公共法律服务站点提质")):
        tasks.create_task(office, plan, {"theme": theme, "title": title, "report_section": 5, "owner": "sifa",
                                          "lead": "lead_law", "due_date": date(2025, 11, 28)})
    draft = drafts.generate(office, office.org, 2024, DAY)
    three = draft.section("3").text
    assert three.startswith("2025年")
    assert "一是以“法”字推进法治云乐。重点抓好领导干部应知应会法律法规清单学习。" in three
    assert "二是以“实”字办好为民实事。重点抓好法律援助进村入户；公共法律服务站点提质。" in three
    assert "风险隐患" not in three


def test_no_ascii_marks_between_chinese_characters_in_the_word_body_or_the_draft(report):
    office = users.get_user("office")
    hall = demo_task("xin-03")
    # a cadre typed ASCII marks on a phone, in a title and a note; the committee pastes them into an edit
    hall.title = "灵芝村(一村一特色):建设芝乡议事厅"
    latest = db.session.scalars(select(ProgressUpdate).where(ProgressUpdate.task_id == hall.id)
                                .order_by(ProgressUpdate.id.desc())).first()
    latest.note = "议事厅(二期)已完工,验收资料:会议纪要;照片"
    db.session.commit()
    draft = drafts.generate(office, office.org, 2024, DAY)
    drafts.edit_section(office, draft, "1.2", "便民服务中心全年办件705件,群众满意率(抽样)99%;窗口无投诉:")
    draft = choices.set_summary(office, draft, demo_task("shi-03").id, "积分制(云乐村、刘村村)运行正常,灵芝村待启动",
                                base_generation=draft.generation, today=DAY)
    db.session.commit()
    assert "是灵芝村（一村一特色）：建设芝乡议事厅。议事厅（二期）已完工，验收资料：会议纪要；照片。" in part_one(draft)
    xml = zipfile.ZipFile(BytesIO(to_docx(draft))).read("word/document.xml").decode()
    word = "".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", xml))
    assert len(ASCII_BESIDE_CJK.findall(word)) == 0 and word.count("，") > 50
    markdown = to_markdown(draft)  # the notes after the body too
    assert ASCII_BESIDE_CJK.findall(markdown) == [] and "生成说明（不属于报告正文）：" in markdown
    stored = [s.text for s in draft.sections] + draft.notes + [c for row in draft.annex for c in row]
    assert [t for t in stored if ASCII_BESIDE_CJK.search(t)] == []


def login(client, username):
    token = csrf_token(client.get("/login").get_data(as_text=True))
    assert client.post("/login", data={"username": username, "password": DEMO_PASSWORD,
                                       "csrf_token": token}).status_code == 302


def test_the_page_offers_summaries_and_causes_and_saving_rewrites_the_draft(report, client):
    org = report.org_id
    url = f"/reports/{org}/2024/choices"
    login(client, "office")
    html = client.get(url).get_data(as_text=True)
    hall = demo_task("xin-03")
    assert "未办结任务的报告摘要" in html and f'id="t-{hall.id}"' in html and "保存原因" in html
    assert closing.CAUSES["law"] in html
    generation = report.generation
    response = client.post(f"/reports/{org}/2024/summaries/{hall.id}", data={
        f"t{hall.id}-text": "议事厅全年议事6次。", f"t{hall.id}-base_generation": str(generation),
        "csrf_token": csrf_token(html)})
    assert response.status_code == 302 and response.location.endswith(f"#t-{hall.id}")
    db.session.expire_all()
    draft = drafts.load_draft(report.org, 2024)
    assert draft.generation == generation + 1 and "建设“芝乡议事厅”。议事厅全年议事6次。" in part_one(draft)
    # a page from before that save is stale: refused, nothing written
    response = client.post(f"/reports/{org}/2024/causes/overdue", data={
        "overdue-choice": "people", "overdue-base_generation": str(generation), "csrf_token": csrf_token(html)})
    assert response.status_code == 302
    assert "已被他人重新生成" in client.get(url).get_data(as_text=True)
    db.session.expire_all()
    assert drafts.load_draft(report.org, 2024).causes == {}
    html = client.get(url).get_data(as_text=True)
    response = client.post(f"/reports/{org}/2024/causes/overdue", data={
        "overdue-choice": "people", "overdue-base_generation": str(generation + 1), "csrf_token": csrf_token(html)})
    db.session.expire_all()
    assert closing.CAUSES["people"] in drafts.load_draft(report.org, 2024).section("2").text
    assert client.post(f"/reports/{org}/2024/causes/late", data={"csrf_token": csrf_token(html)}).status_code == 404
    client.post("/logout", data={"csrf_token": csrf_token(html)})
    login(client, "county")
    html = client.get(url).get_data(as_text=True)
    assert "保存摘要" not in html and "保存原因" not in html and "原因主要是" in html
