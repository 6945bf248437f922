"""The year's turn as a reviewed step (issue 16): preview, move the chosen tasks, undo while nothing changed."""
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.web_fixtures import login, post
from tracker.extensions import db
from tracker.models import AuditEntry, CarryOver, Notification, Plan, PlanTask, TaskRequest, TaskTarget
from tracker.services.figures.targets import set_targets
from tracker.services.people.users import get_user
from tracker.services.reporting.collect import collect
from tracker.services.tasks import progress, requests


@pytest.fixture
def year(world):
    """云乐镇's 2026: a task due in March 2027, one behind with a pending completion request, a late one, a done one."""
    office, cadre = get_user("office"), get_user("cadre")
    spring = world.task(title="春季普法集市", due_date=date(2027, 3, 15))
    waiting = world.task(title="村规民约修订", due_date=date(2026, 12, 20))
    progress.record_progress(cadre, waiting, percent=100, note="修订完成")
    requests.request_completion(cadre, waiting, "已完成修订,申请办结")
    late = world.task(title="清理历史积案", due_date=date(2026, 6, 30), co_owners=["cadre2", "cadre3"])
    progress.record_progress(cadre, late, percent=40, note="已清理两件",
                             metrics=[{"name": "矛盾纠纷化解", "value": 2, "unit": "件"}])
    set_targets(office, late, [{"name": "矛盾纠纷化解", "value": 10, "unit": "件"}])
    done = world.task(title="已办结的宣讲")
    progress.record_progress(cadre, done, percent=100, note="完成")
    requests.request_completion(cadre, done, "完成")
    requests.review(get_user("leader"), done, True, "同意")
    db.session.commit()
    return {"spring": spring, "waiting": waiting, "late": late, "done": done}


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _carry(api, world, body, user="office"):
    return api(user).post(f"/plans/{world.plan.id}/carry-over", json=body)


def test_the_preview_lists_the_open_tasks_and_changes_nothing(api, world, year):
    before = (_count(PlanTask), _count(AuditEntry), _count(Plan))
    response = _carry(api, world, {"dry_run": True})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["year"] == 2027
    listed = {t["title"]: t for t in body["tasks"]}
    assert set(listed) == {"春季普法集市", "村规民约修订", "清理历史积案"}  # not the done one
    # Due after the year's end: kept, but not ticked (it may well finish in this year's plan).
    assert (listed["春季普法集市"]["proposed_due_date"], listed["春季普法集市"]["ticked"]) == ("2027-03-15", False)
    assert (listed["村规民约修订"]["proposed_due_date"], listed["村规民约修订"]["ticked"]) == ("2026-12-20", True)
    assert (listed["清理历史积案"]["proposed_due_date"], listed["清理历史积案"]["ticked"]) == (None, True)
    assert listed["清理历史积案"]["status"] == "in_progress"  # serialised as usual
    db.session.expire_all()
    assert (_count(PlanTask), _count(AuditEntry), _count(Plan)) == before


def test_the_chosen_tasks_move_with_their_people_and_the_rest_stay(api, world, year):
    late, waiting, spring = year["late"], year["waiting"], year["spring"]
    response = _carry(api, world, {"task_ids": [late.id, waiting.id],
                                   "due_dates": {str(late.id): "2027-06-30"}})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    plan = db.session.scalar(select(Plan).where(Plan.org_id == world.plan.org_id, Plan.year == 2027))
    assert (body["plan_id"], body["year"]) == (plan.id, 2027)
    assert [t.key for t in plan.themes] == ["法", "新", "实"]
    moved = {t["title"]: t for t in body["tasks"]}
    new_late, new_waiting = moved["清理历史积案"], moved["村规民约修订"]
    assert (new_late["owner"], new_late["co_owners"], new_late["lead"], new_late["unit"],
            new_late["report_section"]) == ("cadre", ["cadre2", "cadre3"], "leader", "司法所", 5)
    assert (new_late["status"], new_late["due_date"], new_late["progress"]) == ("assigned", "2027-06-30", 40)
    assert new_waiting["due_date"] == "2026-12-20"  # still ahead on 25 November: kept
    assert [(t.name, float(t.value), t.unit) for t in db.session.scalars(
        select(TaskTarget).where(TaskTarget.task_id == new_late["id"]))] == [("矛盾纠纷化解", 10.0, "件")]
    # The pending completion request goes with the work, still pending, and the task waits for review.
    req = db.session.scalar(select(TaskRequest).where(TaskRequest.kind == "completion",
                                                      TaskRequest.status == "pending"))
    assert (req.task_id, new_waiting["status"]) == (new_waiting["id"], "completion_requested")
    db.session.expire_all()
    assert (late.status, waiting.status, spring.status) == ("carried_over", "carried_over", "assigned")
    assert db.session.get(PlanTask, new_late["id"]).carried_from_id == late.id
    # Owner, co-owners and lead hear about the new task (the committee that did it does not).
    told = set(db.session.scalars(select(Notification.recipient_id).where(
        Notification.kind == "carried_over", Notification.task_id == new_late["id"])))
    assert told == {get_user(u).id for u in ("cadre", "cadre2", "cadre3", "leader")}
    inbox = api("cadre2").get("/notifications").get_json()["items"]
    assert any(n["kind"] == "carried_over" and n["task_id"] == new_late["id"] for n in inbox)
    # The original still counts in its own year's report.
    assert [(f.name, f.total) for f in collect(world.plan, date(2027, 1, 10)).figures] == [("矛盾纠纷化解", 2)]


def test_undo_puts_everything_back_while_nothing_changed(api, world, year):
    late, waiting = year["late"], year["waiting"]
    carried = _carry(api, world, {"task_ids": [late.id, waiting.id]}).get_json()
    new_ids = [t["id"] for t in carried["tasks"]]
    # Its old date has passed and none was given: 待定时限, to be assigned a date, so not green (待交办).
    assert [(t["due_date"], t["light"]) for t in carried["tasks"] if t["title"] == "清理历史积案"] == [(None, "none")]
    api("cadre").get(f"/tasks/{new_ids[0]}")  # reading does not count as a change
    response = api("office").post(f"/carry-overs/{carried['id']}/undo")
    assert response.status_code == 200, response.get_json()
    assert {t["title"]: t["status"] for t in response.get_json()["tasks"]} == {
        "清理历史积案": "in_progress", "村规民约修订": "completion_requested"}
    db.session.expire_all()
    assert db.session.scalars(select(PlanTask.id).where(PlanTask.id.in_(new_ids))).all() == []
    assert (late.status, late.closed_at, waiting.status) == ("in_progress", None, "completion_requested")
    assert db.session.scalar(select(TaskRequest.task_id).where(TaskRequest.status == "pending")) == waiting.id
    assert _count(Notification) == db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.kind != "carried_over"))
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "task.carry_over_undo")) == 2
    again = api("office").post(f"/carry-overs/{carried['id']}/undo")
    assert again.status_code == 409 and "已经撤销" in again.get_json()["error"]["message"]
    # Carried again after the undo: the tasks are open again, so the same move works.
    assert _carry(api, world, {"task_ids": [late.id]}).status_code == 201


def test_undo_is_refused_once_someone_worked_on_a_new_task(api, world, year):
    carried = _carry(api, world, {"task_ids": [year["late"].id, year["spring"].id]}).get_json()
    new = next(t for t in carried["tasks"] if t["title"] == "清理历史积案")
    posted = api("cadre").post(f"/tasks/{new['id']}/progress", json={"percent": 50, "note": "2027年继续清理"})
    assert posted.status_code == 201
    response = api("office").post(f"/carry-overs/{carried['id']}/undo")
    assert response.status_code == 409
    assert "不能撤销" in response.get_json()["error"]["message"]
    db.session.expire_all()
    assert year["late"].status == "carried_over" and db.session.get(PlanTask, new["id"]) is not None
    assert db.session.get(CarryOver, carried["id"]).undone_at is None


def test_bad_choices_are_refused_and_nothing_is_half_saved(api, world, year):
    before = (_count(PlanTask), _count(Plan))
    late, done = year["late"], year["done"]
    cases = [
        ({"task_ids": []}, 400, "task_ids"),
        ({"task_ids": [999999]}, 400, "task_ids"),
        ({"task_ids": [late.id], "due_dates": {str(late.id): "2026-11-01"}}, 400, f"due_dates.{late.id}"),
        ({"task_ids": [late.id], "due_dates": {str(year["spring"].id): "2027-05-01"}}, 400,
         f"due_dates.{year['spring'].id}"),
        ({"task_ids": [late.id], "due_dates": {str(late.id): "明年"}}, 400, None),
        ({"task_ids": [late.id, done.id]}, 409, None),
        ({"task_ids": "all"}, 400, None),
    ]
    for body, code, field in cases:
        response = _carry(api, world, body)
        assert response.status_code == code, (body, response.get_json())
        error = response.get_json()["error"]
        assert re.search(r"[\u4e00-\u9fff]", error["message"])
        if field:
            assert field in error["fields"], (body, error)
    assert _carry(api, world, {"task_ids": [late.id]}, user="cadre").status_code == 403
    db.session.expire_all()
    assert (_count(PlanTask), _count(Plan)) == before and late.status == "in_progress"


def test_the_committee_reviews_confirms_and_undoes_on_the_page(client, world, year):
    login(client, "office")
    page = f"/plans/{world.plan.id}/carry-over"
    html = client.get(page).get_data(as_text=True)
    assert "结转到2027年计划" in html
    ticked = set(re.findall(r'name="task_ids" value="(\d+)"[^>]*checked', html))
    assert ticked == {str(year["late"].id), str(year["waiting"].id)}  # the March task is left unticked
    assert f'name="due-{year["spring"].id}"' in html and 'value="2027-03-15"' in html
    # Without the confirmation nothing moves, and the page says why at the top of the form.
    refused = post(client, page, {"task_ids": [str(year["late"].id)]}, page=page)
    assert refused.status_code == 400 and "请勾选确认后再结转" in refused.get_data(as_text=True)
    bad = post(client, page, {"task_ids": [str(year["late"].id)], f"due-{year['late'].id}": "2026-01-01",
                              "confirm": "y"}, page=page)
    text = bad.get_data(as_text=True)
    assert bad.status_code == 400 and f'id="due-{year["late"].id}-error">新的完成时限须晚于今天' in text
    db.session.expire_all()
    assert year["late"].status == "in_progress"
    done = post(client, page, {"task_ids": [str(year["late"].id)], f"due-{year['late'].id}": "2027-06-30",
                               "confirm": "y"}, page=page)
    assert done.status_code == 302
    record = db.session.scalar(select(CarryOver))
    assert done.headers["Location"].endswith(f"/plans/carry-overs/{record.id}")
    summary = client.get(f"/plans/carry-overs/{record.id}").get_data(as_text=True)
    assert "撤销这次结转" in summary and "清理历史积案" in summary and "2027年6月30日" in summary
    undone = post(client, f"/plans/carry-overs/{record.id}/undo", {}, page=f"/plans/carry-overs/{record.id}")
    assert undone.status_code == 302
    db.session.expire_all()
    assert year["late"].status == "in_progress" and db.session.get(CarryOver, record.id).undone_at is not None


def test_the_report_page_points_to_the_reviewed_carry_over(client, world, year):
    login(client, "office")
    html = client.get(f"/reports?org={world.plan.org_id}&year=2026").get_data(as_text=True)
    assert f'href="/plans/{world.plan.id}/carry-over"' in html
    assert "一键生成" not in html
