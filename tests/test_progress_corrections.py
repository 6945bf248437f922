"""更正: a wrong figure is corrected by a later update that names it; the report counts the corrected value."""
from sqlalchemy import func, select

from tests.report_fixtures import TODAY
from tracker.extensions import db
from tracker.models import AuditEntry, ProgressUpdate
from tracker.services.people import users
from tracker.services.reporting import draft as drafts
from tracker.services.tasks import requests

LECTURE = {"name": "普法宣讲", "unit": "次"}


def wrong_update(api, task):
    body = api("cadre").post(f"/tasks/{task.id}/progress", json={
        "percent": 60, "note": "开展宣讲5次", "metrics": [{**LECTURE, "value": 5}]}).get_json()
    return body["id"]


def correct(api, username, task, update_id, value, percent=40):
    return api(username).post(f"/tasks/{task.id}/progress", json={
        "percent": percent, "note": "更正:上次填报偏高,实际宣讲3次", "corrects": update_id,
        "metrics": [{**LECTURE, "value": value}]})


def generate(world):
    result = drafts.generate(users.get_user("office"), world.plan.org, 2026, TODAY)
    db.session.commit()
    return result


def lecture_figure(draft):
    return next(f for f in draft.figures if f["name"] == "普法宣讲")


def test_the_author_corrects_a_figure_and_the_report_counts_the_corrected_value(api, world):
    task = world.task(report_section=7)
    first = wrong_update(api, task)
    response = correct(api, "cadre", task, first, 3)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["corrects"] == first and body["metrics"][0]["value"] == 3
    db.session.expire_all()
    assert db.session.get(ProgressUpdate, first).metrics[0].value == 5  # the original stays in the record
    assert db.session.get(type(task), task.id).progress == 40
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "task.progress.correct"))
    assert entry.changes["corrects"] == first
    assert entry.changes["metrics"] == [[{**LECTURE, "value": 5.0}], [{**LECTURE, "value": 3.0}]]
    draft = generate(world)
    figure = lecture_figure(draft)
    assert figure["total"] == "3"
    assert figure["sources"][0]["update_ids"] == [body["id"]] and figure["sources"][0]["corrected_ids"] == [first]
    text = draft.section("1.7").text
    assert "普法宣讲3次" in text and "5次" not in text and "更正" not in text  # text and figures agree


def test_only_the_author_or_the_committee_corrects_and_only_once(api, world):
    task = world.task(report_section=7)
    first = wrong_update(api, task)
    for username in ("cadre2", "leader", "viewer", "other_office"):
        assert correct(api, username, task, first, 3).status_code in (403, 404), username
    assert correct(api, "office", task, first, 3).status_code == 201
    again = correct(api, "cadre", task, first, 2)
    assert again.status_code == 409 and "已由第" in again.get_json()["error"]["message"]
    other = world.task(title="另一项任务")
    assert correct(api, "office", other, first, 3).status_code == 404  # an update of another task
    negative = api("office").post(f"/tasks/{task.id}/progress", json={
        "percent": 40, "note": "数值有误", "metrics": [{**LECTURE, "value": -1}]})
    assert negative.status_code == 400  # an ordinary update still adds nothing below zero
    assert db.session.scalar(select(func.count()).select_from(ProgressUpdate)
                             .where(ProgressUpdate.task_id == task.id)) == 2


def test_the_committee_corrects_a_done_task_the_owner_may_not(api, world):
    task = world.task(report_section=7)
    first = wrong_update(api, task)
    requests.request_completion(users.get_user("cadre"), task, "全年宣讲5次")
    requests.review(users.get_user("leader"), task, True, "同意")
    db.session.commit()
    refused = correct(api, "cadre", task, first, 3)
    assert refused.status_code == 403
    assert correct(api, "office", task, first, 3, percent=50).status_code == 201
    db.session.expire_all()
    assert db.session.get(type(task), task.id).progress == 100  # a closed task's percent stays
    assert lecture_figure(generate(world))["total"] == "3"


def test_the_task_page_offers_更正_and_the_form_saves_the_corrected_value(client, api, world):
    from tests.factories import csrf_token
    from tests.test_report_web import login, page
    task = world.task(report_section=7)
    first = wrong_update(api, task)
    login(client, "cadre")
    _, html = page(client, f"/tasks/{task.id}")
    url = f"/tasks/{task.id}/updates/{first}/correct"
    assert f'href="{url}"' in html and f"第{first}号" in html
    _, form = page(client, url)
    assert "普法宣讲(次),原填 5" in form and 'value="5"' in form
    bad = client.post(url, data={"csrf_token": csrf_token(form), "k-percent": "40", "k-note": "更正", "value-0": "-2"})
    assert bad.status_code in (200, 400) and "不小于0" in bad.get_data(as_text=True)
    done = client.post(url, data={"csrf_token": csrf_token(form), "k-percent": "40", "k-note": "实际3次",
                                  "value-0": "3"})
    assert done.status_code == 302
    _, html = page(client, f"/tasks/{task.id}")
    assert f"更正第{first}号反馈" in html
    client.post("/logout", data={"csrf_token": csrf_token(html)})
    login(client, "cadre2")  # a co-owner who did not write it
    assert client.get(url).status_code == 403
    assert lecture_figure(generate(world))["total"] == "3"
