"""Channels through real parts: a Celery worker, an SMTP server (aiosmtpd) and robots over HTTP."""
import base64
import hashlib
import hmac
from datetime import date

from sqlalchemy import select

from tests.reminders_fixtures import notices, quiet_queue, reminder_worker, robot_server, smtp, wait_until  # noqa: F401
from tracker.extensions import db
from tracker.models import Delivery, OrgChannels
from tracker.services.people.users import get_user

OCT8 = date(2024, 10, 8)


def with_email(*usernames):
    for name in usernames:
        get_user(name).email = f"{name}@example.org"
    db.session.commit()


def statuses():
    db.session.rollback()
    return sorted((d.channel, d.kind, d.status) for d in db.session.scalars(select(Delivery)))


def test_digest_groups_items_most_urgent_first_and_is_sent_once(app, world, runner, smtp, reminder_worker):
    with_email("cadre")
    worker = reminder_worker().start()
    world.task(start_date=None, due_date=date(2024, 10, 10), title="临期的普法宣讲")
    world.task(start_date=None, due_date=date(2024, 9, 20), title="逾期的矛盾排查")
    world.task(start_date=None, due_date=date(2024, 10, 5), title="今天到期的法律顾问")
    assert wait_until(lambda: len(smtp.messages) == 3), worker.text()  # the three 交办 notices, at once
    smtp.messages.clear()
    result = runner.invoke(args=["reminders", "run", "--date", "2024-10-08"])
    assert result.exit_code == 0, result.output
    assert "提醒扫描完成" in result.output
    assert wait_until(lambda: len(smtp.messages) >= 1), result.output + str(statuses()) + worker.text()[-500:]
    worker.settle()
    assert len(smtp.messages) == 1
    mail = smtp.messages[0]
    assert mail["to"] == ["cadre@example.org"] and "3项" in mail["subject"]
    body = mail["body"]
    assert body.index("逾期的矛盾排查") < body.index("今天到期的法律顾问") < body.index("临期的普法宣讲")
    # In the app at once, each with that day's for_date.
    assert sorted(k for _, k, _, d in notices("cadre") if d == OCT8) == ["due_soon", "due_today", "overdue"]
    # A second run that day sends nothing again.
    assert runner.invoke(args=["reminders", "run", "--date", "2024-10-08"]).exit_code == 0
    worker.settle()
    assert len(smtp.messages) == 1
    assert [s for s in statuses() if s[1] == "digest"] == [("email", "digest", "sent")]


def test_urge_over_the_api_reaches_the_app_and_email_at_once(app, world, api, smtp, reminder_worker):
    with_email("cadre", "cadre2")
    worker = reminder_worker().start()
    task = world.task(start_date=None, due_date=date(2026, 12, 31))
    assert wait_until(lambda: len(smtp.messages) == 2), worker.text()  # 交办
    smtp.messages.clear()
    office = api("office")
    response = office.post(f"/tasks/{task.id}/urge", json={"message": "请本周内反馈进展"})
    assert response.status_code == 201, response.get_json()
    assert response.get_json() == {"task_id": task.id, "notified": 2}
    assert wait_until(lambda: len([m for m in smtp.messages if "催办" in m["subject"]]) == 2), worker.text()
    cadre = api("cadre")
    body = cadre.get("/notifications?unread=true").get_json()
    urge = [n for n in body["items"] if n["kind"] == "urge"]
    assert len(urge) == 1 and "请本周内反馈进展" in urge[0]["message"] and urge[0]["is_read"] is False
    assert set(urge[0]) == {"id", "kind", "task_id", "directive_id", "for_date", "created_at", "is_read", "message"}
    read = cadre.post(f"/notifications/{urge[0]['id']}/read")
    assert read.status_code == 200 and read.get_json()["is_read"] is True
    assert all(n["kind"] != "urge" for n in cadre.get("/notifications?unread=true").get_json()["items"])
    # Someone else's notice is "not found"; the wrong people may not urge.
    assert api("cadre2").post(f"/notifications/{urge[0]['id']}/read").status_code == 404
    assert cadre.post(f"/tasks/{task.id}/urge", json={}).status_code == 403
    assert api("other_office").post(f"/tasks/{task.id}/urge", json={}).status_code == 404
    assert office.post(f"/tasks/{task.id}/urge", json={"message": "长" * 501}).status_code == 400
    assert office.post(f"/tasks/{task.id}/urge", json={"message": 5}).status_code == 400
    assert cadre.get("/notifications?unread=maybe").status_code == 400


def test_assigned_and_decision_are_immediate(app, world, api, quiet_queue):
    office = api("office")
    created = office.post("/tasks", json={"plan_id": world.plan.id, "theme": "法", "title": "村居法律顾问",
                                          "report_section": 5, "owner": "cadre", "co_owners": ["cadre2"],
                                          "lead": "leader", "due_date": "2026-12-31"})
    assert created.status_code == 201
    task_id = created.get_json()["id"]
    assert [(u, k) for u, k, t, _ in notices() if t == task_id] == [("cadre", "assigned"), ("cadre2", "assigned")]
    assert api("cadre").post(f"/tasks/{task_id}/complete-request", json={"note": "已完成"}).status_code == 201
    assert api("leader").post(f"/tasks/{task_id}/review", json={"approve": False, "comment": "缺少材料"}).status_code == 200
    decided = [(u, k) for u, k, t, _ in notices() if t == task_id and k == "decision"]
    assert decided == [("cadre", "decision"), ("cadre2", "decision")]
    message = api("cadre").get("/notifications").get_json()["items"][0]["message"]
    assert "退回" in message and "缺少材料" in message


def test_robots_get_titles_dates_names_links_only_and_dingtalk_is_signed(app, world, robot_server, reminder_worker):
    office = get_user("office")
    db.session.add(OrgChannels(org_id=office.org_id, is_email_on=True, wecom_webhook=robot_server.url + "/wecom?key=k1",
                               dingtalk_webhook=robot_server.url + "/ding?access_token=t1", dingtalk_secret="SECabc"))
    db.session.commit()
    worker = reminder_worker().start()
    task = world.task(start_date=None, due_date=date(2024, 9, 20), title="矛盾纠纷排查", description="涉及信访人张三的材料")
    assert wait_until(lambda: len(robot_server.requests) == 4), worker.text()  # 交办: 2 people × 2 robots
    from tracker.services.reminders.immediate import urge
    urge(office, task, "信访人张三的情况请核实")
    db.session.commit()
    assert wait_until(lambda: len(robot_server.requests) == 8), worker.text()
    for req in robot_server.requests:
        text = str(req["json"])
        assert "矛盾纠纷排查" in text and "/tasks/" in text and "2024-09-20" in text
        assert "张三" not in text  # neither the description nor the urge message reaches a group chat
    ding = [r for r in robot_server.requests if r["path"] == "/ding"]
    assert len(ding) == 4
    for req in ding:
        stamp, sign = req["query"]["timestamp"][0], req["query"]["sign"][0]
        expected = base64.b64encode(hmac.new(b"SECabc", f"{stamp}\nSECabc".encode(), hashlib.sha256).digest()).decode()
        assert sign == expected and req["query"]["access_token"] == ["t1"]
        assert req["json"]["msgtype"] == "markdown"


def test_robot_errors_are_retried_then_failed_then_retried_by_the_committee(app, world, robot_server,
                                                                            reminder_worker):
    from tracker.services.reminders.log import retry
    office = get_user("office")
    db.session.add(OrgChannels(org_id=office.org_id, is_email_on=True, wecom_webhook=robot_server.url + "/wecom",
                               dingtalk_webhook="", dingtalk_secret=""))
    db.session.commit()
    robot_server.mode = "error"
    worker = reminder_worker(REMINDER_MAX_ATTEMPTS=3).start()
    world.task(start_date=None, due_date=date(2026, 12, 31), co_owners=[])
    assert wait_until(lambda: statuses() == [("wecom", "assigned", "failed")], 30), worker.text()
    assert len(robot_server.requests) == 3
    failed = db.session.scalar(select(Delivery))
    assert failed.attempts == 3 and "45009" in failed.last_error
    robot_server.mode = "ok"
    assert retry(office, office.org_id, None) == 1
    db.session.commit()
    assert wait_until(lambda: statuses() == [("wecom", "assigned", "sent")], 20), worker.text()
    assert len(robot_server.requests) == 4


def test_robot_rate_limit_throttles_and_never_drops(app, world, robot_server, reminder_worker):
    office = get_user("office")
    db.session.add(OrgChannels(org_id=office.org_id, is_email_on=True, wecom_webhook=robot_server.url + "/wecom",
                               dingtalk_webhook="", dingtalk_secret=""))
    db.session.commit()
    worker = reminder_worker(ROBOT_RATE_LIMIT=2, ROBOT_RATE_WINDOW=1).start()
    for i in range(3):
        world.task(start_date=None, due_date=date(2026, 12, 31), title=f"任务{i}")  # 6 messages
    assert wait_until(lambda: len(robot_server.requests) == 6, 30), worker.text()
    times = sorted(r["at"] for r in robot_server.requests)
    assert times[-1] - times[0] >= 1.0  # at most 2 per 1-second window
    worker.settle()
    assert len(robot_server.requests) == 6
    assert {s[2] for s in statuses()} == {"sent"}
