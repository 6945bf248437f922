"""上级交办 (issue 17.5): the county's committee issues work to a township, which accepts it into its plan or
declines it; the county follows the accepted task's progress and light. API and pages, rights and notices."""
import pytest
from sqlalchemy import func, select

from tests.test_statement_counts import count_statements
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


def test_the_list_runs_the_same_statements_for_2_and_for_20(world, api):
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

    grow(1)
    few, total = count()
    assert total == 2
    grow(10)
    many, total = count()
    assert total == 22 and many == few
