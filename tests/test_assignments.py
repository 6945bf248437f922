"""上级交办 (issue 17.5): the county's committee issues work to a township, which accepts it into its plan or
declines it; the county follows the accepted task's progress and light. API and pages, rights and notices."""
import pytest
from sqlalchemy import func, select

from tests.factories import csrf_token
from tests.test_statement_counts import count_statements
from tests.web_fixtures import login, post
from tracker.extensions import db
from tracker.models import AuditEntry, Directive, Notification, Organisation, PlanTask
from tracker.services.people.users import get_user
from tracker.services.tasks import progress
from tracker.services.tasks.verbs import update_task

WORK = {"title": "开展宪法宣传周活动", "description": "12月4日前后集中宣传", "due_date": "2026-12-10", "year": 2026}


def _org(name: str) -> Organisation:
    return db.session.scalar(select(Organisation).where(Organisation.name == name))


def _issue(api, to: str = "云乐镇", as_: str = "county_office", **overrides):
    return api(as_).post(f"/orgs/{_org(to).id}/assignments", json={**WORK, **overrides})


def _refusals(username: str, action: str) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.actor_id == get_user(username).id, AuditEntry.action == f"{action}.refused"))


def _notices(username: str, kind: str) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(
        Notification.recipient_id == get_user(username).id, Notification.kind == kind)))


def _theme_id(world, key: str = "实") -> int:
    return world.plan.theme_by_key(key).id


# --- API ------------------------------------------------------------------------------------------------

def test_the_county_issues_work_and_the_township_committee_is_told(world, api):
    response = _issue(api, report_section=2)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "pending" and body["target_org"] == "云乐镇" and body["issuer_org"] == "旌德县"
    assert body["task_id"] is None and body["light"] is None and body["report_section"] == 2
    notices = _notices("office", "directive_issued")
    assert len(notices) == 1 and notices[0].task_id is None and notices[0].directive_id == body["id"]
    assert not _notices("other_office", "directive_issued")  # only the township it went to
    listed = api("office").get("/notifications").get_json()["items"]
    mine = next(n for n in listed if n["kind"] == "directive_issued")
    assert mine["task_id"] is None and "开展宪法宣传周活动" in mine["message"] and "请接收或退回" in mine["message"]
    received = api("office").get("/assignments?status=pending").get_json()
    assert [i["id"] for i in received["items"]] == [body["id"]]
    assert api("other_office").get("/assignments").get_json()["total"] == 0


def test_accepting_puts_it_in_the_townships_plan_and_the_county_sees_its_progress(world, api):
    issued = _issue(api).get_json()
    response = api("office").post(f"/assignments/{issued['id']}/accept", json={"theme_id": _theme_id(world)})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "accepted" and body["task_id"] and body["decided_by"] == "office"
    task = db.session.get(PlanTask, body["task_id"])
    assert task.plan_id == world.plan.id and task.theme.key == "实" and task.status == "draft"
    assert task.title == WORK["title"] and task.due_date.isoformat() == WORK["due_date"] and task.report_section == 1
    assert body["light"] == "none"  # 待交办 until the township assigns an owner
    accepted = _notices("county_office", "directive_accepted")
    assert len(accepted) == 1 and accepted[0].task_id == task.id
    # The township assigns it with the existing verb, the owner reports; the county reads percent and light.
    office = api("office")
    assert office.patch(f"/tasks/{task.id}", json={"version": task.version, "owner": "cadre", "lead": "leader"}
                        ).status_code == 200
    assert api("cadre").post(f"/tasks/{task.id}/progress", json={"percent": 40, "note": "已制定方案"}
                             ).status_code == 201
    county = api("county_office").get("/assignments?status=accepted").get_json()
    item = county["items"][0]
    assert item["progress"] == 40 and item["light"] == "green" and item["target_org"] == "云乐镇"
    assert api("county_office").get(f"/tasks/{task.id}").get_json()["progress"] == 40
    assert api("county_office").get("/assignments?status=pending").get_json()["total"] == 0


def test_declining_needs_a_reason_and_tells_the_county(world, api):
    issued = _issue(api).get_json()
    empty = api("office").post(f"/assignments/{issued['id']}/decline", json={"reason": "   "})
    assert empty.status_code == 400 and "退回理由" in empty.get_json()["error"]["message"]
    assert _refusals("office", "directive.decline") == 0  # an input mistake is no refusal
    response = api("office").post(f"/assignments/{issued['id']}/decline", json={"reason": "本镇已在开展同类工作"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "declined" and body["decline_reason"] == "本镇已在开展同类工作"
    declined = _notices("county_office", "directive_declined")
    assert len(declined) == 1 and declined[0].task_id is None
    listed = api("county_office").get("/notifications").get_json()["items"]
    assert any("本镇已在开展同类工作" in n["message"] for n in listed if n["kind"] == "directive_declined")
    assert api("county_office").get("/assignments?status=declined").get_json()["total"] == 1


def test_a_decision_is_made_once_and_a_second_is_a_409(world, api):
    issued = _issue(api).get_json()
    office = api("office")
    assert office.post(f"/assignments/{issued['id']}/accept", json={"theme_id": _theme_id(world)}).status_code == 200
    again = office.post(f"/assignments/{issued['id']}/accept", json={"theme_id": _theme_id(world)})
    assert again.status_code == 409 and "已接收" in again.get_json()["error"]["message"]
    late = office.post(f"/assignments/{issued['id']}/decline", json={"reason": "改主意了"})
    assert late.status_code == 409
    assert db.session.scalar(select(func.count()).select_from(PlanTask).where(PlanTask.title == WORK["title"])) == 1
    assert _refusals("office", "directive.accept") == 1 and _refusals("office", "directive.decline") == 1


@pytest.mark.parametrize("as_, to, expected", [
    ("office", "旌德县", 403),  # a township issuing upward
    ("office", "白地镇", 403),  # … or to a sibling
    ("office", "云乐镇", 403),  # … or to itself
    ("viewer", "云乐镇", 403),  # the county's 督查 reads, issues nothing
    ("leader", "云乐镇", 403),
])
def test_only_a_committee_above_may_issue(world, api, as_, to, expected):
    response = _issue(api, to=to, as_=as_)
    assert response.status_code == expected and response.get_json()["error"]["code"] == "forbidden"
    assert _refusals(as_, "directive.issue") == 1
    assert db.session.scalar(select(func.count()).select_from(Directive)) == 0


def test_rights_come_before_input_and_an_unknown_org_is_404(world, api):
    bad = api("office").post(f"/orgs/{_org('白地镇').id}/assignments", json={"title": ""})
    assert bad.status_code == 403  # not 400: the township may not issue at all
    assert api("county_office").post("/orgs/999999/assignments", json=WORK).status_code == 404
    wrong = _issue(api, due_date="2026-02-30")
    assert wrong.status_code == 400 and "due_date" in wrong.get_json()["error"]["fields"]
    blank = _issue(api, title=" \u200b ")
    assert blank.status_code == 400 and "任务名称不能为空" in blank.get_json()["error"]["fields"]["title"]
    assert _issue(api, report_section=9).status_code == 400  # the template has seven sub-sections


@pytest.mark.parametrize("as_, expected", [
    ("county_office", 403),  # the issuer does not accept its own work
    ("leader", 403), ("cadre", 403), ("viewer", 403), ("town_viewer", 403),
    ("other_office", 404),  # a sibling township does not see it
])
def test_only_the_receiving_committee_decides(world, api, as_, expected):
    issued = _issue(api).get_json()
    for verb, body in (("accept", {"theme_id": _theme_id(world)}), ("decline", {"reason": "不归我们管"})):
        response = api(as_).post(f"/assignments/{issued['id']}/{verb}", json=body)
        assert response.status_code == expected, (verb, response.get_json())
        if expected == 403:
            assert _refusals(as_, f"directive.{verb}") == 1
    assert db.session.get(Directive, issued["id"]).status == "pending"


def test_rights_come_before_state(world, api):
    issued = _issue(api).get_json()
    api("office").post(f"/assignments/{issued['id']}/decline", json={"reason": "不适用"})
    response = api("county_office").post(f"/assignments/{issued['id']}/accept", json={"theme_id": 1})
    assert response.status_code == 403  # not 409: the county may not accept at all


def test_accepting_needs_a_theme_of_that_years_plan(world, api):
    issued = _issue(api).get_json()
    other_theme = world.other_plan.themes[0].id  # 白地镇's
    response = api("office").post(f"/assignments/{issued['id']}/accept", json={"theme_id": other_theme})
    assert response.status_code == 400 and "theme_id" in response.get_json()["error"]["fields"]
    next_year = _issue(api, year=2027).get_json()
    response = api("office").post(f"/assignments/{next_year['id']}/accept", json={"theme_id": _theme_id(world)})
    assert response.status_code == 409 and "2027年度计划" in response.get_json()["error"]["message"]
    assert db.session.get(Directive, issued["id"]).status == "pending"
    assert api("office").get("/assignments?status=bogus").status_code == 400


def test_the_claim_is_a_conditional_update(world, api):
    """Two deciders at once: the second finds the row decided (UPDATE … WHERE status = 'pending')."""
    from tracker.services.directives import verbs
    issued = _issue(api).get_json()
    directive = db.session.get(Directive, issued["id"])
    db.session.execute(Directive.__table__.update().where(Directive.id == directive.id).values(status="declined",
                                                                                                decline_reason="先"))
    from tracker.services.errors import Conflict
    with pytest.raises(Conflict):  # the object still says pending; the database does not
        verbs.accept(get_user("office"), directive, _theme_id(world))
    db.session.rollback()


def test_the_list_runs_the_same_statements_for_2_and_for_20(client, world, api):
    """The API list and both sides' pages: accepted work with its task's light, pending work with its themes."""
    county = api("county_office")

    def grow(n):
        for _ in range(n):
            issued = _issue(api).get_json()
            task_id = api("office").post(f"/assignments/{issued['id']}/accept",
                                         json={"theme_id": _theme_id(world)}).get_json()["task_id"]
            task = db.session.get(PlanTask, task_id)
            update_task(get_user("office"), task, {"owner": "cadre", "lead": "leader"}, task.version)
            progress.record_progress(get_user("cadre"), task, percent=10, note="开始")
            _issue(api, to="白地镇")
        db.session.commit()

    def count():
        county.get("/assignments?per_page=100")
        db.session.expire_all()
        with count_statements() as counter:
            response = county.get("/assignments?per_page=100")
        assert response.status_code == 200
        return counter["n"], response.get_json()["total"]

    def pages():
        counts = []
        for username in ("county_office", "office"):
            _switch(client, username)
            client.get("/assignments")
            db.session.expire_all()
            with count_statements() as counter:
                assert client.get("/assignments").status_code == 200
            counts.append(counter["n"])
        return counts

    grow(1)
    _issue(api)  # one waiting for 云乐镇 to accept or decline
    login(client, "viewer")
    few, total = count()
    few_pages = pages()
    assert total == 3
    grow(10)
    for _ in range(5):
        _issue(api)
    many, total = count()
    assert total == 28 and many == few
    assert pages() == few_pages


def test_a_directive_notice_goes_out_by_email_without_a_task(app, world, api):
    """The delivery of a notice no task carries yet reads the work's title and links to the 上级交办 list."""
    from tracker.models import Delivery
    from tracker.services.reminders import deliver
    app.config["MAIL_SERVER"] = "127.0.0.1"  # email is a channel only with a mail server (nothing is sent here)
    office = get_user("office")
    office.email = "office@yunle.gov.cn"
    db.session.commit()
    _issue(api)
    ids = list(db.session.scalars(select(Delivery.id).where(Delivery.recipient_id == office.id,
                                                            Delivery.kind == "directive_issued")))
    assert len(ids) == 1
    [out] = deliver.load_outgoing(ids)
    assert out.channel == "email" and "开展宪法宣传周活动" in out.title
    assert "请接收或退回" in out.body and "/assignments\n" in out.body


# --- pages ----------------------------------------------------------------------------------------------

def _switch(client, username: str) -> None:
    """Log out through the form, then in as someone else."""
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/").get_data(as_text=True))})
    login(client, username)


def test_the_county_issues_from_its_page_and_the_township_accepts_from_its_list(client, world, api):
    login(client, "county_office")
    form = client.get("/assignments/new").get_data(as_text=True)
    assert "旌德县/云乐镇" in form and "旌德县/白地镇" in form
    town = _org("云乐镇")
    response = post(client, "/assignments/new", {"org": str(town.id), "title": "开展宪法宣传周活动", "description": "",
                                                 "due_date": "2026-12-10", "year": "2026", "report_section": "1"},
                    page="/assignments/new")
    assert response.status_code == 302 and response.headers["Location"].endswith("/assignments")
    directive = db.session.scalar(select(Directive))
    assert directive.target_org_id == town.id and directive.status == "pending"
    assert "待接收" in client.get("/assignments").get_data(as_text=True)

    _switch(client, "office")
    page = client.get("/assignments").get_data(as_text=True)
    assert "收到的上级交办" in page and "开展宪法宣传周活动" in page and 'name="a-theme"' in page
    accepted = post(client, f"/assignments/{directive.id}/accept",
                    {"a-theme": str(_theme_id(world, "法")), "a-report_section": ""}, page="/assignments")
    assert accepted.status_code == 302
    db.session.expire_all()
    task_id = db.session.get(Directive, directive.id).task_id
    assert accepted.headers["Location"].endswith(f"/tasks/{task_id}")
    task_page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "上级交办:旌德县" in task_page and "已接收" in task_page

    _switch(client, "county_office")
    listing = client.get("/assignments?status=accepted").get_data(as_text=True)
    assert "已接收" in listing and "云乐镇" in listing and "待交办" in listing  # the light until it is assigned
    assert "上级交办:旌德县" in client.get(f"/tasks/{task_id}").get_data(as_text=True)


def test_declining_from_the_page_needs_a_reason(client, world, api):
    directive_id = _issue(api).get_json()["id"]
    login(client, "office")
    refused = post(client, f"/assignments/{directive_id}/decline", {"d-reason": ""}, page="/assignments")
    assert refused.status_code == 302
    assert "退回理由不能为空" in client.get("/assignments").get_data(as_text=True)
    assert db.session.get(Directive, directive_id).status == "pending"
    post(client, f"/assignments/{directive_id}/decline", {"d-reason": "不属本镇职责"}, page="/assignments")
    db.session.expire_all()
    assert db.session.get(Directive, directive_id).status == "declined"
    assert len(_notices("county_office", "directive_declined")) == 1


def test_a_forged_page_post_is_refused_and_kept(client, world, api):
    login(client, "office")
    sibling = _org("白地镇")
    response = post(client, "/assignments/new", {"org": str(sibling.id), "title": "越级交办", "due_date": "2026-12-10",
                                                 "year": "2026"}, page="/assignments/new")
    assert response.status_code == 403 and _refusals("office", "directive.issue") == 1
    directive_id = _issue(api).get_json()["id"]
    _switch(client, "other_office")
    assert post(client, f"/assignments/{directive_id}/accept", {"a-theme": "1"},
                page="/assignments").status_code == 404
    _switch(client, "leader")
    assert post(client, f"/assignments/{directive_id}/accept", {"a-theme": "1"},
                page="/assignments").status_code == 403
    assert _refusals("leader", "directive.accept") == 1


def test_the_county_reads_every_townships_plan_and_tasks(client, world):
    world.task(title="云乐镇的任务")
    login(client, "county_office")
    plans = client.get("/plans").get_data(as_text=True)
    assert "云乐镇 · 2026年" in plans and "白地镇 · 2026年" in plans  # the picker offers every township's plan
    town_plan = client.get(f"/plans?plan_id={world.plan.id}").get_data(as_text=True)
    assert "云乐镇的任务" in town_plan
    tasks = client.get("/tasks").get_data(as_text=True)
    assert "云乐镇的任务" in tasks and "云乐镇" in tasks
