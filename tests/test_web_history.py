"""The 留痕 trail as an inspector reads it (issue 16.6): names with unit, labels, values as shown, refusals marked."""
import re

from tests.web_fixtures import login, post
from tracker.extensions import db
from tracker.models import AuditEntry
from tracker.services.people.users import get_user
from tracker.services.reminders import immediate
from tracker.services.tasks import verbs


def _history(client, task_id) -> str:
    html = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    table = html[html.index('id="history"'):]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", table))


def test_history_shows_names_units_labels_and_urges_as_people_saw_them(client, world):
    cadre, cadre3 = get_user("cadre"), get_user("cadre3")
    cadre.unit, cadre.post = "云乐村", "村支书"
    cadre3.unit = "司法所"
    task = world.task(title="开展宪法宣传周", report_section=5)
    office = get_user("office")
    verbs.update_task(office, task, {"owner": "cadre3", "co_owners": ["cadre"], "report_section": 7,
                                     "due_date": "2026-11-30"}, task.version)
    immediate.urge(office, task, "请本周内报送照片")
    db.session.commit()
    login(client, "office")
    text = _history(client, task.id)
    assert "cadre姓名(云乐村 · 村支书) → cadre3姓名(司法所)" in text
    assert "cadre" + " →" not in text.replace("cadre姓名", "")  # never a bare username
    assert "(五)依法处置突发事件" in text and "→ (七)强化法治政府建设保障" in text
    assert "2026年12月31日 → 2026年11月30日" in text
    assert "催办 催办留言: 请本周内报送照片" in text
    assert "其他操作" not in text and "message" not in text
    assert "状态: (空) → 已交办" in text


def test_refusals_are_marked_and_typos_leave_no_trace(client, world):
    task = world.task()
    login(client, "cadre")
    detail = f"/tasks/{task.id}"
    # A typo in the date: shown on the form, never written as a refusal.
    post(client, f"/tasks/{task.id}/extend", {"x-due_date": "2027-02-30", "x-reason": "雨季"}, page=detail)
    post(client, f"/tasks/{task.id}/extend", {"x-due_date": "2026-01-05", "x-reason": "雨季"}, page=detail)
    # A refusal of state: a second extension while one waits.
    post(client, f"/tasks/{task.id}/extend", {"x-due_date": "2027-01-31", "x-reason": "雨季"}, page=detail)
    post(client, f"/tasks/{task.id}/extend", {"x-due_date": "2027-02-28", "x-reason": "又下雨"}, page=detail)
    # A refusal of rights: a cadre posting an edit.
    post(client, f"/tasks/{task.id}/edit", {"title": "改名", "version": "1"}, page=detail)
    actions = [a for (a,) in db.session.execute(
        db.select(AuditEntry.action).where(AuditEntry.task_id == task.id).order_by(AuditEntry.id))]
    assert actions == ["task.create", "task.extension_request", "task.extension_request.refused",
                       "task.update.refused"]
    text = _history(client, task.id)
    assert text.count("被拒绝") == 2
    assert "申请延期 被拒绝" in text and "原因: 已有待审核的延期申请" in text
    assert "修改任务 被拒绝" in text


def test_committee_records_unit_and_post_and_the_trail_shows_them(client, world):
    task = world.task()
    login(client, "office")
    member = get_user("cadre")
    page = f"/users/{member.id}"
    response = post(client, f"{page}/profile", {"pf-unit": "云" * 101, "pf-post": "村支书"}, page=page)
    assert "所在单位不能超过100个字" in response.get_data(as_text=True)
    assert post(client, f"{page}/profile", {"pf-unit": " 云乐村 ", "pf-post": "村支书"}, page=page).status_code == 302
    db.session.expire_all()
    assert (get_user("cadre").unit, get_user("cadre").post) == ("云乐村", "村支书")
    assert "云乐村 · 村支书" in client.get("/users/").get_data(as_text=True)
    response = post(client, "/users/new", {"username": "cadre9", "name": "新同事", "role": "cadre", "unit": "司法所",
                                          "post": "所长", "password": "initial-pass-1"}, page="/users/new")
    assert response.status_code == 302 and get_user("cadre9").signature == "新同事(司法所 · 所长)"
    assert "cadre姓名(云乐村 · 村支书)" in _history(client, task.id)  # the owner in the task's 交办 entry
