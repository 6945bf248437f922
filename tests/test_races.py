"""Two people writing one task at once (issue 18 items 15 and 16): each race runs in threads, every thread with
its own request, app context, session and database connection, and the threads meet at a barrier just before
their first write to the contested row, so the race happens every time rather than now and then."""
import re
import threading
from contextlib import contextmanager

import pytest
from sqlalchemy import event, func, select

from tests.factories import PASSWORD, csrf_token
from tests.web_fixtures import login
from tracker.extensions import db
from tracker.models import AuditEntry, Notification, PlanTask, ProgressUpdate, TaskRequest
from tracker.services.people import users
from tracker.services.people.users import get_user
from tracker.services.tasks import requests

CONTESTED = re.compile(r"^\s*UPDATE\s+\"?(plan_task|task_request)\"?\s", re.IGNORECASE)


@contextmanager
def meeting_before_writes(parties: int):
    """Threads (not the test's own) wait for each other before their first UPDATE of a task or a request."""
    barrier = threading.Barrier(parties)
    met: set[int] = set()
    main = threading.get_ident()

    def wait(conn, cursor, statement, parameters, context, executemany):
        me = threading.get_ident()
        if me != main and me not in met and CONTESTED.match(statement):
            met.add(me)
            try:
                barrier.wait(timeout=15)  # a party that never writes (refused earlier) breaks it; the rest go on
            except threading.BrokenBarrierError:
                pass

    event.listen(db.engine, "before_cursor_execute", wait)
    try:
        yield
    finally:
        event.remove(db.engine, "before_cursor_execute", wait)


def at_once(calls: list) -> list:
    """Run the calls in threads at the same moment; their answers in order (an exception is re-raised)."""
    results: list = [None] * len(calls)
    start = threading.Barrier(len(calls))

    def run(index, call):
        start.wait(timeout=10)
        try:
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 - handed back to the test below
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for result in results:
        if isinstance(result, Exception):
            raise result
    return results


def bearer(client, username: str) -> dict:
    response = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def api_call(app, method: str, path: str, headers: dict, body: dict):
    """A call to make in a thread: a client of its own, so a request context (and session) of its own."""
    return lambda: getattr(app.test_client(), method)("/api/v1" + path, headers=headers, json=body)


def fresh(model, ident):
    db.session.expire_all()
    return db.session.get(model, ident)


def test_owner_and_two_co_owners_posting_progress_at_once_all_succeed(app, world):
    task = world.task(co_owners=["cadre2", "cadre3"])
    people = ["cadre", "cadre2", "cadre3"]
    headers = {name: bearer(app.test_client(), name) for name in people}
    calls = [api_call(app, "post", f"/tasks/{task.id}/progress", headers[name],
                      {"percent": 10 * (i + 1), "note": f"{name}的进展"}) for i, name in enumerate(people)]
    with meeting_before_writes(len(calls)):
        answers = at_once(calls)
    assert [a.status_code for a in answers] == [201, 201, 201], [a.get_data(as_text=True) for a in answers]
    notes = db.session.scalars(select(ProgressUpdate.note).where(ProgressUpdate.task_id == task.id)).all()
    assert sorted(notes) == sorted(f"{name}的进展" for name in people)
    after = fresh(PlanTask, task.id)
    assert after.status == "in_progress" and after.progress in (10, 20, 30)
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.task_id == task.id, AuditEntry.action == "task.progress")) == 3


def test_owner_and_co_owner_posting_the_web_progress_form_at_once_both_succeed(app, world):
    task = world.task(co_owners=["cadre2"])
    calls = []
    for username, percent in (("cadre", "30"), ("cadre2", "40")):
        client = app.test_client()
        with app.app_context():
            login(client, username)
            html = client.get(f"/tasks/{task.id}/progress").get_data(as_text=True)
        fields = {"csrf_token": csrf_token(html), "p-percent": percent, "p-note": f"{username}的进展"}
        calls.append(lambda client=client, fields=fields: client.post(f"/tasks/{task.id}/progress", data=fields))
    with meeting_before_writes(len(calls)):
        answers = at_once(calls)
    assert [a.status_code for a in answers] == [302, 302], [a.get_data(as_text=True)[-500:] for a in answers]
    notes = db.session.scalars(select(ProgressUpdate.note).where(ProgressUpdate.task_id == task.id)).all()
    assert sorted(notes) == ["cadre2的进展", "cadre的进展"]


def test_a_progress_post_does_not_lose_to_an_edit_at_the_same_moment(app, world):
    task = world.task()
    cadre, office = bearer(app.test_client(), "cadre"), bearer(app.test_client(), "office")
    calls = [api_call(app, "post", f"/tasks/{task.id}/progress", cadre, {"percent": 50, "note": "过半"}),
             api_call(app, "patch", f"/tasks/{task.id}", office, {"version": task.version, "unit": "综治中心"})]
    with meeting_before_writes(len(calls)):
        posted, edited = at_once(calls)
    assert (posted.status_code, edited.status_code) == (201, 200), (posted.get_json(), edited.get_json())
    after = fresh(PlanTask, task.id)
    assert (after.progress, after.unit) == (50, "综治中心")


def test_twenty_patches_with_one_version_give_one_200_and_409s(app, world):
    task = world.task()
    version = task.version
    office = bearer(app.test_client(), "office")
    calls = [api_call(app, "patch", f"/tasks/{task.id}", office, {"version": version, "unit": f"单位{i}"})
             for i in range(20)]
    with meeting_before_writes(len(calls)):
        answers = at_once(calls)
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] + [409] * 19, statuses
    for answer in answers:
        if answer.status_code == 409:
            assert answer.get_json()["error"]["code"] == "conflict"
            assert "已被他人修改" in answer.get_json()["error"]["message"]
    winner = next(a for a in answers if a.status_code == 200).get_json()
    after = fresh(PlanTask, task.id)
    assert (after.unit, after.version) == (winner["unit"], version + 1)
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.task_id == task.id, AuditEntry.action == "task.update")) == 1


def _edit_page_client(app, username: str, task_id: int):
    """A browser of `username` with the task's edit form open: (client, its CSRF token, the form's version)."""
    client = app.test_client()
    with app.app_context():
        login(client, username)
        html = client.get(f"/tasks/{task_id}/edit").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', html).group(1)
    return client, csrf_token(html), version


def test_two_committee_members_editing_one_task_the_loser_gets_409_with_the_form_kept(app, world):
    task = world.task()
    users.create_user(username="office2", org=get_user("office").org, role="committee", name="第二位党政办",
                      password=PASSWORD)
    db.session.commit()
    titles = {"office": "甲改的名称", "office2": "乙改的名称"}
    calls = []
    for username, title in titles.items():
        client, token, version = _edit_page_client(app, username, task.id)
        fields = {"csrf_token": token, "title": title, "theme": "法", "report_section": "5", "owner": "cadre",
                  "co_owners": "cadre2", "lead": "leader", "unit": "司法所", "start_date": "2026-01-01",
                  "due_date": "2026-12-31", "version": version}
        calls.append(lambda client=client, fields=fields: client.post(f"/tasks/{task.id}/edit", data=fields))
    with meeting_before_writes(len(calls)):
        answers = at_once(calls)
    assert sorted(a.status_code for a in answers) == [302, 409], [a.status_code for a in answers]
    loser = next(a for a in answers if a.status_code == 409)
    html = loser.get_data(as_text=True)
    lost_title = next(t for t in titles.values() if f'value="{t}"' in html)
    assert "任务已被他人修改" in html and "服务器出错" not in html
    after = fresh(PlanTask, task.id)
    assert after.title in titles.values() and after.title != lost_title


def _pending_extension(world):
    task = world.task()
    requests.request_extension(get_user("cadre"), task, "2027-01-31", "雨季施工")
    db.session.commit()
    return task


@pytest.mark.parametrize("kind", ["completion", "extension"])
def test_two_approvals_of_one_request_give_200_and_409(app, world, kind):
    task = world.task()
    if kind == "completion":
        requests.request_completion(get_user("cadre"), task, "已全部完成")
    else:
        requests.request_extension(get_user("cadre"), task, "2027-01-31", "雨季施工")
    db.session.commit()
    calls = [api_call(app, "post", f"/tasks/{task.id}/review", bearer(app.test_client(), who),
                      {"approve": True, "comment": "同意"}) for who in ("leader", "office")]
    with meeting_before_writes(len(calls)):
        answers = at_once(calls)
    assert sorted(a.status_code for a in answers) == [200, 409], [a.get_data(as_text=True) for a in answers]
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.task_id == task.id, AuditEntry.action == "task.review")) == 1


@pytest.mark.parametrize("lead_approves", [True, False], ids=["approve-vs-refuse", "refuse-vs-refuse"])
def test_a_lead_and_the_committee_deciding_at_once_decide_the_request_once(app, world, lead_approves):
    task = _pending_extension(world)
    calls = [api_call(app, "post", f"/tasks/{task.id}/review", bearer(app.test_client(), "leader"),
                      {"approve": lead_approves, "comment": "领导意见"}),
             api_call(app, "post", f"/tasks/{task.id}/review", bearer(app.test_client(), "office"),
                      {"approve": False, "comment": "不同意延期"})]
    with meeting_before_writes(len(calls)):
        answers = at_once(calls)
    assert sorted(a.status_code for a in answers) == [200, 409], [a.get_data(as_text=True) for a in answers]
    winner = 0 if answers[0].status_code == 200 else 1
    loser = answers[1 - winner].get_json()["error"]
    assert loser["code"] == "conflict" and "已由他人审核" in loser["message"]
    req = db.session.scalars(select(TaskRequest).where(TaskRequest.task_id == task.id)).one()
    db.session.refresh(req)
    after = fresh(PlanTask, task.id)
    decisions = db.session.scalars(select(AuditEntry).where(
        AuditEntry.task_id == task.id, AuditEntry.action == "task.review")).all()
    assert len(decisions) == 1 and decisions[0].changes["decision"] == req.status
    assert req.decided_by.username == ("leader", "office")[winner]
    if req.status == "approved":
        assert str(after.due_date) == "2027-01-31"
    else:
        assert (req.status, str(after.due_date)) == ("returned", "2026-12-31")
    # One decision notice per person (requester, owner, co-owner), not one per decider.
    notices = db.session.scalars(select(Notification).where(Notification.kind == "decision")).all()
    assert notices and len(notices) == len({n.recipient_id for n in notices})
    # The loser's attempt is kept as a refusal, not as a second decision.
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.task_id == task.id, AuditEntry.action == "task.review.refused")) == 1
