"""Report 报送 and 退回 (issue 17.6): a township freezes its report as numbered versions; the county returns (the
township's committee is notified) or accepts them, and reads each version's own Word file and a table of figures."""
from datetime import date
from io import BytesIO

from docx import Document
from sqlalchemy import select

from tests.factories import PASSWORD, csrf_token
from tests.report_fixtures import year_plan  # noqa: F401
from tests.test_statement_counts import count_statements
from tracker.extensions import db
from tracker.models import AuditEntry, Delivery, Notification, ReportDraft, ReportSubmission, User
from tracker.services.people import orgs, users
from tracker.services.plans import verbs as plans
from tracker.services.reminders import deliver
from tracker.services.reporting import draft as drafts
from tracker.services.reporting import submission as submissions


def _actions(action: str) -> list[AuditEntry]:
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


def _submit(api, who="office", year=2026):
    return api(who).post(f"/reports/{year}/submit")


def test_submit_generates_a_missing_draft_and_freezes_it_as_version_one(world, api, year_plan):
    assert db.session.scalar(select(ReportDraft)) is None
    response = _submit(api)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert {k: body[k] for k in ("org", "year", "status", "version", "late")} == {
        "org": "云乐镇", "year": 2026, "status": "submitted", "version": 1, "late": False}
    assert body["id"] and body["submitted_at"] and body["org_id"] == world.plan.org_id
    assert db.session.scalar(select(ReportDraft)).generation == 1  # generated on the way
    entry = _actions("report.submit")[0]
    assert entry.object_type == "ReportSubmission" and entry.changes["version"] == 1


def test_a_later_edit_of_the_draft_leaves_the_submitted_version_as_it_was(world, api, year_plan):
    office = users.get_user("office")
    drafts.generate(office, world.plan.org, 2026, date(2026, 11, 25))
    db.session.commit()
    sid = _submit(api).get_json()["id"]
    draft = drafts.load_draft(world.plan.org, 2026)
    drafts.edit_section(office, draft, "1.7", "报送之后改写的第七部分。")
    db.session.commit()
    db.session.expire_all()
    row = db.session.get(ReportSubmission, sid)
    assert "报送之后改写" not in row.text and all("报送之后改写" not in s["text"] for s in row.sections)
    response = api("county_office").get(f"/reports/{sid}/docx")
    assert response.status_code == 200 and response.mimetype.endswith("wordprocessingml.document")
    text = "\n".join(p.text for p in Document(BytesIO(response.data)).paragraphs)
    assert text.startswith("云乐镇2026年度法治政府建设工作报告") and "普法宣讲12次" in text
    assert "报送之后改写" not in text
    assert response.data == row.docx  # the stored file, not one written again


def test_return_notifies_the_township_then_a_resubmission_is_a_new_version(app, world, api, year_plan):
    app.config["MAIL_SERVER"] = "127.0.0.1"  # so the notice also goes out by email
    office = users.get_user("office")
    office.email = "office@yunle.gov.cn"
    db.session.commit()
    sid = _submit(api).get_json()["id"]
    county = api("county_office")
    response = county.post(f"/reports/{sid}/return", json={"comment": "第二部分问题写得不够具体"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "returned"
    assert response.get_json()["comment"] == "第二部分问题写得不够具体"
    notices = db.session.scalars(select(Notification).where(Notification.kind == "report_returned")).all()
    assert [(n.recipient.username, n.task_id) for n in notices] == [("office", None)]  # the committee only
    items = api("office").get("/notifications").get_json()["items"]
    assert items[0]["kind"] == "report_returned" and items[0]["task_id"] is None
    assert "第1版" in items[0]["message"] and "第二部分问题写得不够具体" in items[0]["message"]
    delivery = db.session.scalar(select(Delivery).where(Delivery.kind == "report_returned"))
    [outgoing] = deliver.load_outgoing([delivery.id])
    assert outgoing.title == "【报告退回】年度报告" and "不够具体" in outgoing.body and "/reports" in outgoing.body

    again = _submit(api)
    assert again.status_code == 201 and again.get_json()["version"] == 2
    assert county.post(f"/reports/{sid}/accept", json={}).status_code == 409  # version 1 stays returned
    accepted = county.post(f"/reports/{again.get_json()['id']}/accept", json={"comment": "同意"})
    assert accepted.status_code == 200 and accepted.get_json()["status"] == "accepted"
    assert _submit(api).status_code == 409  # accepted: nothing to send again
    assert [e.changes["status"] for e in _actions("report.return") + _actions("report.accept")] == [
        ["submitted", "returned"], ["submitted", "accepted"]]


def test_submitting_while_one_is_waiting_is_refused_and_kept(world, api, year_plan):
    assert _submit(api).status_code == 201
    response = _submit(api)
    assert response.status_code == 409 and "不能重复报送" in response.get_json()["error"]["message"]
    [kept] = _actions("report.submit.refused")
    assert kept.org_id == world.plan.org_id and kept.changes["status"] == 409
    assert db.session.scalar(select(ReportSubmission.version).order_by(ReportSubmission.id.desc())) == 1


def test_rights_come_before_state_and_refusals_are_kept(world, api, year_plan):
    sid = _submit(api).get_json()["id"]
    own = api("office")
    response = own.post(f"/reports/{sid}/return", json={"comment": "自己退回"})
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "forbidden"
    assert own.post(f"/reports/{sid}/accept", json={}).status_code == 403
    assert own.post(f"/reports/{sid}/return", json={}).status_code == 403  # rights before the body's checks
    assert [e.org_id for e in _actions("report.return.refused")] == [world.plan.org_id] * 2
    assert len(_actions("report.accept.refused")) == 1
    assert api("other_office").post(f"/reports/{sid}/return", json={"comment": "x"}).status_code == 404
    assert api("viewer").post(f"/reports/{sid}/accept", json={}).status_code == 403
    assert api("cadre").post("/reports/2026/submit").status_code == 403
    assert api("county_office").post("/reports/2026/submit").status_code == 403  # nobody above the county
    county = api("county_office")
    blank = county.post(f"/reports/{sid}/return", json={"comment": "   "})
    assert blank.status_code == 400 and "comment" in blank.get_json()["error"]["fields"]
    assert county.post(f"/reports/{sid}/return", json={"comment": "请补充"}).status_code == 200
    assert county.post(f"/reports/{sid}/return", json={"comment": "再退"}).status_code == 409  # already returned
    assert len(_actions("report.return.refused")) == 3  # the 400 left no row, the 409 did
    assert api("office").get(f"/reports/{sid + 99}").status_code == 404
    assert api("office").post("/reports/1999/submit").status_code == 400


def test_a_report_sent_after_1_april_is_late(app, world, api, year_plan):
    app.config["FIXED_TODAY"] = date(2027, 4, 1)  # the deadline's day: still in time (the page says 今天截止)
    assert _submit(api).get_json()["late"] is False
    app.config["FIXED_TODAY"] = date(2027, 4, 2)
    response = _submit(api, "other_office")
    assert response.status_code == 201 and response.get_json()["late"] is True
    items = api("county_office").get("/reports?year=2026").get_json()["items"]
    assert {(i["org"], i["late"]) for i in items} == {("云乐镇", False), ("白地镇", True)}


def test_decisions_are_decided_by_the_database(world, api, year_plan):
    sid = _submit(api).get_json()["id"]
    county = users.get_user("county_office")
    stale = db.session.get(ReportSubmission, sid)
    db.session.execute(ReportSubmission.__table__.update().where(ReportSubmission.id == sid)
                       .values(status="accepted"))  # a colleague's decision, not yet seen by this session
    try:
        submissions.decide(county, stale, "return", "晚了一步")
        raise AssertionError("a second decision must be refused")
    except submissions.Conflict as refused:
        assert refused.status == 409 and "已采纳" in refused.message
    db.session.rollback()


def _township(county, name: str) -> None:
    town = orgs.create_org(name, county)
    user = users.create_user(username=f"u{town.id}", org=town, role="committee", name=f"{name}办", password=PASSWORD)
    plans.create_plan(town, 2026, f"{name}2026年计划", [("法", "法治")])
    db.session.flush()
    submissions.submit(user, town, 2026, date(2026, 11, 25))
    db.session.commit()


def test_the_county_list_reads_in_a_fixed_number_of_statements(world, api):
    county_org = world.plan.org.parent
    county = api("county_office")

    def measure():
        county.get("/reports?year=2026")
        db.session.expire_all()
        with count_statements() as counter:
            response = county.get("/reports?year=2026")
        assert response.status_code == 200
        return counter["n"], response.get_json()["items"]

    _township(county_org, "甲镇")
    few, items = measure()
    assert [i["org"] for i in items] == ["甲镇"]
    for name in ("乙镇", "丙镇", "丁镇"):
        _township(county_org, name)
    many, items = measure()
    assert len(items) == 4 and many == few
    assert api("viewer").get("/reports?year=2026").status_code == 200
    assert api("cadre").get("/reports?year=2026").status_code == 403
    assert len(_actions("report.list.refused")) == 1
    assert api("county_office").get("/reports").status_code == 400
    assert api("county_office").get("/reports?year=1800").status_code == 400


# --- the pages ---------------------------------------------------------------------------------------------

class Browser:
    """A person's browser: each request in an app context of its own, so no login is cached between people."""

    def __init__(self, app, username):
        self.app, self.client = app, app.test_client()
        token = csrf_token(self.get("/login").get_data(as_text=True))
        assert self.post("/login", {"username": username, "password": PASSWORD, "csrf_token": token}) \
            .status_code == 302

    def get(self, url):
        with self.app.app_context():
            return self.client.get(url)

    def post(self, url, data):
        with self.app.app_context():
            return self.client.post(url, data=data)

    def html(self, url) -> str:
        return self.get(url).get_data(as_text=True)


def _post(browser, page_url, action, data=None):
    token = csrf_token(browser.html(page_url))
    response = browser.post(action, {**(data or {}), "csrf_token": token})
    db.session.expire_all()
    return response


def test_pages_submit_list_return_accept_and_the_figures_table(app, world, year_plan):
    town = world.plan.org_id
    township = Browser(app, "office")
    html = township.html(f"/reports?org={town}&year=2026")
    assert "报送旌德县" in html and ">报送</button>" in html
    response = _post(township, f"/reports?org={town}&year=2026", f"/reports/{town}/2026/submit")
    assert response.status_code == 302
    html = township.html(f"/reports?org={town}&year=2026")
    assert "第1版" in html and "已报送" in html and ">报送</button>" not in html

    county = Browser(app, "county_office")
    html = county.html("/reports/submissions?year=2026")
    assert "云乐镇" in html and "已报送" in html and "白地镇" in html and "未报送" in html
    sid = db.session.scalar(select(ReportSubmission.id))
    detail = f"/reports/submissions/{sid}"
    html = county.html(detail)
    assert "退回" in html and "采纳" in html and "普法宣讲12次" in html
    response = _post(county, detail, f"{detail}/return", {"comment": ""})
    assert response.status_code == 200 and "请填写退回意见" in response.get_data(as_text=True)
    assert db.session.get(ReportSubmission, sid).status == "submitted"
    response = _post(county, detail, f"{detail}/return", {"comment": "数据口径请核实"})
    assert response.status_code == 302
    html = township.html(f"/reports?org={town}&year=2026")
    assert "已退回" in html and "数据口径请核实" in html and "重新报送" in html
    notices = township.html("/notices/")
    assert "报告退回" in notices and "查看报告" in notices

    _post(township, f"/reports?org={town}&year=2026", f"/reports/{town}/2026/submit")
    second = db.session.scalar(select(ReportSubmission.id).where(ReportSubmission.version == 2))
    response = _post(county, f"/reports/submissions/{second}", f"/reports/submissions/{second}/accept")
    assert response.status_code == 302
    assert db.session.get(ReportSubmission, second).status == "accepted"
    html = county.html("/reports/submissions/figures?year=2026")
    assert "最近一次报送且未被退回" in html and "普法宣讲(次)" in html and ">12<" in html
    assert county.get(f"/reports/submissions/{second}/docx").data.startswith(b"PK")

    # The township's committee may not decide its own; the page refuses and keeps the attempt.
    response = _post(township, f"/reports/submissions/{second}", f"/reports/submissions/{second}/return",
                     {"comment": "自己退回"})
    assert response.status_code == 403
    assert _actions("report.return.refused")
    assert township.get("/reports/submissions?year=2026").status_code == 200  # lists what is below: nothing
    assert db.session.scalar(select(User).where(User.username == "office")) is not None
