"""The notification pages: the centre and badge, the log with retry, rules, robots, the calendar, recurring tasks."""
from datetime import date, timedelta

from flask import g
from sqlalchemy import select

from tests.factories import PASSWORD, csrf_token
from tests.reminders_fixtures import notices, quiet_queue  # noqa: F401
from tests.test_statement_counts import count_statements
from tracker.extensions import db
from tracker.models import CalendarOverride, Delivery, OrgChannels, PlanTask, RecurringInstance, ReminderRule
from tracker.models.types import utcnow
from tracker.services.people.users import get_user
from tracker.services.reminders.immediate import urge
from tracker.services.reminders.sweep import run_sweep


def login(client, username):
    token = csrf_token(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert response.status_code in (302, 303)


def post(client, url, data, page=None):
    token = csrf_token(client.get(page or url).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token})


def test_centre_badge_and_mark_read(client, world, quiet_queue):
    task = world.task()
    urge(get_user("office"), task, "请尽快反馈")
    db.session.commit()
    login(client, "cadre")
    html = client.get("/").get_data(as_text=True)
    assert 'class="notice-count">2<' in html  # 交办 + 催办
    assert "提醒服务未运行" not in html       # only the committee is warned
    page = client.get("/notices/").get_data(as_text=True)
    assert "请尽快反馈" in page and "催办" in page
    assert post(client, "/notices/read-all", {}, "/notices/").status_code == 302
    assert 'class="notice-count"' not in client.get("/").get_data(as_text=True)


def test_badge_is_one_statement(client, world, quiet_queue):
    login(client, "cadre")
    client.get("/notices/")
    db.session.expire_all()
    with count_statements() as few:
        client.get("/notices/settings")
    for i in range(10):
        urge(get_user("office"), world.task(title=f"任务{i}"), "")
    db.session.commit()
    db.session.expire_all()
    with count_statements() as many:
        client.get("/notices/settings")
    assert many["n"] == few["n"]


def test_badge_is_read_with_the_signed_in_user_and_again_after_a_write(app, client, world, quiet_queue):
    from tracker.auth.loader import load_user
    from tracker.services.reminders import inbox
    cadre = get_user("cadre")
    urge(get_user("office"), world.task(), "请尽快反馈")
    db.session.commit()
    login(client, "cadre")
    client.get("/notices/settings")
    g.pop("_login_user", None)  # the test's app context outlives requests: load the user as a worker does
    with count_statements() as seen:
        html = client.get("/notices/settings").get_data(as_text=True)
    assert 'class="notice-count">2<' in html
    reads = [s for s in seen["sql"] if "FROM notification" in s]
    assert len(reads) == 1 and "FROM user_account" in reads[0]  # one statement: the user and the badge
    with app.test_request_context("/"):
        user = load_user(f"{cadre.id}:{cadre.session_epoch}")
        assert inbox.badge(user)[0] == 2
        inbox.mark_all_read(user)  # a bulk UPDATE: no flush announces it
        assert inbox.badge(user)[0] == 0
        db.session.rollback()


def test_committee_is_warned_when_no_sweep_ran_for_an_hour(client, world, quiet_queue):
    login(client, "office")
    assert "提醒服务未运行" in client.get("/").get_data(as_text=True)
    run_sweep(date(2026, 11, 25))
    db.session.commit()
    assert "提醒服务未运行" not in client.get("/").get_data(as_text=True)


def test_log_shows_failed_and_retries(client, world, quiet_queue):
    office = get_user("office")
    db.session.add(OrgChannels(org_id=office.org_id, is_email_on=True, wecom_webhook="http://127.0.0.1:9/x",
                               dingtalk_webhook="", dingtalk_secret=""))
    db.session.commit()
    world.task(co_owners=[])
    delivery = db.session.scalar(select(Delivery))
    delivery.status, delivery.attempts, delivery.last_error = "failed", 6, "RobotError: errcode 45009"
    db.session.commit()
    login(client, "cadre")
    assert client.get("/notices/log").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/").get_data(as_text=True))})
    login(client, "office")
    page = client.get("/notices/log?status=failed").get_data(as_text=True)
    assert "45009" in page and "企业微信群机器人" in page
    response = post(client, "/notices/log/retry", {"delivery_id": str(delivery.id)}, "/notices/log?status=failed")
    assert response.status_code == 302
    db.session.rollback()
    row = db.session.get(Delivery, delivery.id)
    assert row.status == "pending" and row.attempts == 0


def test_rules_are_validated_and_change_the_sweep_and_lights(client, world, quiet_queue):
    login(client, "office")
    bad = post(client, "/notices/rules", {"due_soon_workdays": "0", "escalate_lead_after": "abc",
                                          "escalate_committee_after": "2", "stalled_days": "30",
                                          "stalled_repeat_days": "7", "review_wait_workdays": "2",
                                          "digest_time": "25:00"})
    assert bad.status_code == 200
    text = bad.get_data(as_text=True)
    assert "须在1到30之间" in text and "HH:MM" in text
    assert db.session.scalar(select(ReminderRule)) is None
    good = post(client, "/notices/rules", {"due_soon_workdays": "5", "escalate_lead_after": "2",
                                           "escalate_committee_after": "3", "stalled_days": "30",
                                           "stalled_repeat_days": "7", "review_wait_workdays": "2",
                                           "digest_time": "08:30", "disabled_kinds": ["stalled"]})
    assert good.status_code == 302
    rule = db.session.scalar(select(ReminderRule))
    assert rule.due_soon_workdays == 5 and rule.disabled_kinds == ["stalled"]
    task = world.task(start_date=None, due_date=date(2024, 10, 10))  # 5 working days after Sep 29
    run_sweep(date(2024, 9, 29))
    db.session.commit()
    assert [k for u, k, t, d in notices("cadre") if d == date(2024, 9, 29)] == ["due_soon"]
    from tracker.services.tasks.lights import light
    assert light(task, date(2024, 9, 29)) == "yellow"
    # Robots: a bad address is refused on the form.
    bad_hook = post(client, "/notices/channels", {"ch-is_email_on": "y", "ch-wecom_webhook": "ftp://x"},
                    "/notices/rules")
    assert bad_hook.status_code == 400 and "https://qyapi.weixin.qq.com/" in bad_hook.get_data(as_text=True)


def test_calendar_overrides_only_for_the_top_committee(client, world, quiet_queue):
    login(client, "office")  # 云乐镇 has a parent: not the calendar keeper
    assert client.get("/notices/calendar").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/").get_data(as_text=True))})
    login(client, "county_office")
    page = client.get("/notices/calendar?year=2031").get_data(as_text=True)
    assert "暂定" in page
    response = post(client, "/notices/calendar", {"day": "2031-10-01", "is_workday": "off", "note": "国庆节"})
    assert response.status_code == 302
    assert db.session.scalar(select(CalendarOverride)).day == date(2031, 10, 1)
    bad = post(client, "/notices/calendar", {"day": "2031-02-30", "is_workday": "off"})
    assert bad.status_code == 200 and "error" in bad.get_data(as_text=True)
    from tracker.services.calendar.workdays import invalidate, is_workday
    invalidate()
    assert not is_workday(date(2031, 10, 1))


def test_recurring_instances_and_provisional_due_dates_recomputed(app, world, quiet_queue):
    from tracker.models import Plan
    from tracker.services.calendar import overrides as calendar
    from tracker.services.reminders import recurring
    office = get_user("office")
    plan = db.session.scalar(select(Plan).where(Plan.id == world.plan.id))
    plan.year = 2031
    db.session.commit()
    definition = recurring.create_recurring(office, plan, {
        "title": "矛盾纠纷排查例会", "theme": "法", "report_section": 5, "owner": "cadre", "lead": "leader",
        "frequency": "monthly", "due_workdays": 3})
    db.session.commit()
    run_sweep(date(2031, 10, 1))   # 2031 is provisional: Oct 1–3 count as working days for now
    db.session.commit()
    instance = db.session.scalar(select(RecurringInstance).where(RecurringInstance.recurring_id == definition.id))
    task = db.session.get(PlanTask, instance.task_id)
    assert instance.is_provisional and task.due_date == date(2031, 10, 3)
    assert "2031年10月" in task.title
    run_sweep(date(2031, 10, 1))   # nothing made twice
    db.session.commit()
    assert len(db.session.scalars(select(RecurringInstance)).all()) == 1
    county = get_user("county_office")
    for day in range(1, 8):
        calendar.set_override(county, date(2031, 10, day), False, "国庆节")
    calendar.confirm_year(county, 2031)
    db.session.commit()
    db.session.refresh(task)
    assert task.due_date == date(2031, 10, 10)  # the 3rd working day after the holiday week
    told = [k for u, k, t, d in notices("cadre") if t == task.id and k in ("assigned", "due_recomputed")]
    assert told == ["assigned", "due_recomputed"]
    # A stored due date of an ordinary task never moves by itself.
    plain = world.task(start_date=None, due_date=date(2031, 10, 2))
    calendar.set_override(county, date(2031, 10, 8), False, "")
    db.session.commit()
    assert db.session.get(PlanTask, plain.id).due_date == date(2031, 10, 2)
    assert utcnow() - timedelta(minutes=1) < task.updated_at


def test_pages_render_and_urge_form(client, world, runner, quiet_queue):
    task = world.task()
    login(client, "office")
    for url in ("/notices/", "/notices/settings", "/notices/log", "/notices/rules", "/notices/recurring",
                f"/notices/tasks/{task.id}/urge", "/notices/log?status=bogus&page=x"):
        assert client.get(url).status_code == 200, url
    too_long = post(client, f"/notices/tasks/{task.id}/urge", {"message": "长" * 501})
    assert too_long.status_code == 200 and "不能超过500个字" in too_long.get_data(as_text=True)
    assert post(client, f"/notices/tasks/{task.id}/urge", {"message": "请抓紧"}).status_code == 302
    assert [k for u, k, t, d in notices("cadre") if k == "urge"] == ["urge"]
    assert client.get("/notices/tasks/999999/urge").status_code == 404
    created = post(client, "/notices/recurring", {"title": "月度例会", "theme": "法", "report_section": "5",
                                                  "owner": "nobody", "frequency": "monthly", "due_workdays": "3"})
    assert created.status_code == 200 and "本单位在用的用户" in created.get_data(as_text=True)


def test_cli_refuses_a_bad_date(runner, world):
    result = runner.invoke(args=["reminders", "run", "--date", "2024-02-30"])
    assert result.exit_code == 1 and "日期" in result.output
    assert runner.invoke(args=["reminders", "run", "--date", "1999-01-01"]).exit_code == 1


def test_recurring_instances_get_the_co_owners_in_one_statement(client, world, quiet_queue):
    from sqlalchemy import event

    from tracker.models import Notification, RecurringTask
    login(client, "office")
    bad = post(client, "/notices/recurring", {"title": "月度例会", "theme": "法", "report_section": "5", "owner": "cadre",
                                              "co_owners": "cadre2, cadre", "frequency": "monthly", "due_workdays": "3"})
    assert bad.status_code == 200 and "责任人不必再列为协办人" in bad.get_data(as_text=True)
    assert db.session.scalar(select(RecurringTask)) is None  # nothing half-saved
    for title, co_owners in (("月度例会", "cadre2、cadre3"), ("月度排查", "cadre3"), ("月度普法", "")):
        made = post(client, "/notices/recurring", {"title": title, "theme": "法", "report_section": "5",
                                                   "owner": "cadre", "co_owners": co_owners, "frequency": "monthly",
                                                   "due_workdays": "3"})
        assert made.status_code == 302, made.get_data(as_text=True)
    page = client.get("/notices/recurring").get_data(as_text=True)
    assert "cadre2姓名、cadre3姓名" in page
    get_user("cadre3").is_active_account = False  # left since: not copied onto new instances
    db.session.commit()
    copies = []

    def seen(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("INSERT INTO TASK_CO_OWNER"):
            copies.append(statement)
    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        run_sweep(date(2026, 11, 30))  # December's instances: due 3 December, within the due_soon lead time
        db.session.commit()
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    instances = db.session.scalars(select(RecurringInstance)).all()
    assert len(instances) == 3 and len(copies) == 1  # however many instances, one statement
    by_title = {db.session.get(PlanTask, i.task_id).title.split("(")[0]: db.session.get(PlanTask, i.task_id)
                for i in instances}
    assert [u.username for u in by_title["月度例会"].co_owners] == ["cadre2"]
    assert by_title["月度排查"].co_owners == [] and by_title["月度普法"].co_owners == []
    told = db.session.scalars(select(Notification.recipient_id).where(
        Notification.kind == "assigned", Notification.task_id == by_title["月度例会"].id)).all()
    assert sorted(told) == sorted([get_user("cadre").id, get_user("cadre2").id])


def test_log_says_in_app_notices_are_delivered_not_pending(client, world, quiet_queue):
    from tracker.services.reminders import inbox
    task = world.task()  # 交办: cadre and cadre2 are told in the app
    urge(get_user("office"), task, "")
    db.session.commit()
    first = db.session.scalar(select(Delivery.id))  # no email or robots configured: no deliveries at all
    assert first is None
    from tracker.models import Notification
    mine = db.session.scalars(select(Notification).where(Notification.recipient_id == get_user("cadre").id)).all()
    inbox.mark_read(get_user("cadre"), mine[0].id)
    db.session.commit()
    login(client, "office")
    page = client.get("/notices/log").get_data(as_text=True)
    assert "4(已读 1,未读 3)" in page  # assigned + urge, to cadre and cadre2
    assert "不适用" in page and "写入即已送达" in page
