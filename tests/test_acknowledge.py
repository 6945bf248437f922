"""签收 and 催办 read receipts (issue 17 items 1 and 2): the API, the pages, the migration's backfill, the
reminder kind `unacknowledged` through real sweeps, and who may do what."""
from datetime import date, datetime, timedelta, timezone

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, select, text

from tests.reminders_fixtures import notices, quiet_queue  # noqa: F401
from tests.test_migrations import MIGRATIONS, ROWS, fresh_database  # noqa: F401
from tests.web_fixtures import login, post, token
from tracker.extensions import db
from tracker.models import AuditEntry, Notification, PlanTask, ReminderRule
from tracker.services.people.users import get_user
from tracker.services.reminders import compose, immediate, rules
from tracker.services.reminders.sweep import run_sweep
from tracker.services.tasks import acknowledgement, progress
from tracker.services.tasks import verbs as tasks

TASK_FIELDS = {"id", "plan_id", "parent_id", "title", "description", "theme", "report_section", "owner", "co_owners",
               "lead", "unit", "start_date", "due_date", "status", "progress", "version", "overdue", "light",
               "created_at", "updated_at", "acknowledged_at"}


def _actions(task_id: int, action: str) -> list[AuditEntry]:
    db.session.rollback()
    return db.session.scalars(select(AuditEntry).where(AuditEntry.task_id == task_id, AuditEntry.action == action)
                              .order_by(AuditEntry.id)).all()


def _acknowledged_at(task_id: int):
    db.session.rollback()
    return db.session.get(PlanTask, task_id).acknowledged_at


# ---- the API --------------------------------------------------------------------------------------------

def test_the_owner_acknowledges_once_and_a_second_call_keeps_the_first_time(world, api):
    task = world.task()
    cadre = api("cadre")
    before = cadre.get(f"/tasks/{task.id}").get_json()
    assert before["acknowledged_at"] is None
    first = cadre.post(f"/tasks/{task.id}/acknowledge")
    assert first.status_code == 200, first.get_json()
    body = first.get_json()
    assert set(body) == TASK_FIELDS and body["id"] == task.id and body["acknowledged_at"] is not None
    assert body["version"] == before["version"]  # no version: an owner's 签收 never makes an open edit stale
    again = cadre.post(f"/tasks/{task.id}/acknowledge")
    assert again.status_code == 200 and again.get_json()["acknowledged_at"] == body["acknowledged_at"]
    by_helper = api("cadre2").post(f"/tasks/{task.id}/acknowledge")  # a co-owner may too; the first time stays
    assert by_helper.status_code == 200 and by_helper.get_json()["acknowledged_at"] == body["acknowledged_at"]
    entries = _actions(task.id, "task.acknowledge")
    assert [e.actor.username for e in entries] == ["cadre"]  # audited once, when it happened
    history = cadre.get(f"/tasks/{task.id}/history").get_json()["items"]
    assert "task.acknowledge" in [h["action"] for h in history]


def test_a_co_owner_may_acknowledge(world, api):
    task = world.task()
    response = api("cadre2").post(f"/tasks/{task.id}/acknowledge")
    assert response.status_code == 200 and response.get_json()["acknowledged_at"] is not None


@pytest.mark.parametrize("username, status", [("office", 403), ("leader", 403), ("cadre3", 403), ("viewer", 403),
                                              ("county_office", 403), ("other_office", 404), ("other_cadre", 404)])
def test_someone_elses_task_is_refused_and_the_refusal_is_kept(world, api, username, status):
    task = world.task()
    response = api(username).post(f"/tasks/{task.id}/acknowledge")
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == ("forbidden" if status == 403 else "not_found")
    assert _acknowledged_at(task.id) is None
    refused = _actions(task.id, "task.acknowledge.refused")
    if status == 403:  # a refusal of rights on a task they may see is kept; a 404 reveals nothing to attach to
        assert [e.actor.username for e in refused] == [username]
        assert "责任人或协办人" in refused[0].changes["reason"]
    else:
        assert refused == []


def test_a_closed_task_needs_no_acknowledgement(world, api):
    task = world.task()
    tasks.cancel_task(get_user("office"), task, "重复任务")
    db.session.commit()
    response = api("cadre").post(f"/tasks/{task.id}/acknowledge")
    assert response.status_code == 409 and "无需签收" in response.get_json()["error"]["message"]
    assert [e.actor.username for e in _actions(task.id, "task.acknowledge.refused")] == ["cadre"]


def test_the_owners_first_progress_acknowledges_but_the_committees_proxy_report_does_not(world, api):
    task = world.task()
    proxy = api("office").post(f"/tasks/{task.id}/progress", json={"percent": 10, "note": "党政办代报"})
    assert proxy.status_code == 201 and proxy.get_json()["on_behalf_of"] == "cadre"
    assert _acknowledged_at(task.id) is None
    own = api("cadre2").post(f"/tasks/{task.id}/progress", json={"percent": 20, "note": "协办人反馈"})
    assert own.status_code == 201
    first = _acknowledged_at(task.id)
    assert first is not None and abs(first - datetime.fromisoformat(own.get_json()["created_at"])) < timedelta(seconds=5)
    api("cadre").post(f"/tasks/{task.id}/progress", json={"percent": 30, "note": "再次反馈"})
    assert _acknowledged_at(task.id) == first
    kept = api("cadre").post(f"/tasks/{task.id}/acknowledge").get_json()["acknowledged_at"]
    assert datetime.fromisoformat(kept) == first


def test_a_new_owner_acknowledges_again(world, api):
    task = world.task()
    acknowledgement.acknowledge(get_user("cadre"), task)
    db.session.commit()
    version = api("office").get(f"/tasks/{task.id}").get_json()["version"]
    moved = api("office").patch(f"/tasks/{task.id}", json={"version": version, "owner": "cadre3", "co_owners": []})
    assert moved.status_code == 200 and moved.get_json()["acknowledged_at"] is None
    unrelated = api("office").patch(f"/tasks/{task.id}", json={"version": moved.get_json()["version"], "unit": "综治办"})
    assert unrelated.get_json()["acknowledged_at"] is None
    assert api("cadre3").post(f"/tasks/{task.id}/acknowledge").get_json()["acknowledged_at"] is not None


def test_the_list_filters_by_acknowledgement(world, api):
    waiting = world.task(title="待签收的任务")
    done = world.task(title="已签收的任务")
    world.task(title="草稿", owner=None, co_owners=[], due_date=None)
    closed = world.task(title="已取消的任务")
    tasks.cancel_task(get_user("office"), closed, "重复")
    acknowledgement.acknowledge(get_user("cadre"), done)
    db.session.commit()
    office = api("office")
    pending = office.get("/tasks?acknowledged=false").get_json()
    assert [t["id"] for t in pending["items"]] == [waiting.id] and pending["total"] == 1
    confirmed = office.get("/tasks?acknowledged=true").get_json()
    assert [t["id"] for t in confirmed["items"]] == [done.id]
    assert office.get("/tasks").get_json()["total"] == 4
    for bad in ("maybe", "否", "2"):
        response = office.get(f"/tasks?acknowledged={bad}")
        assert response.status_code == 400 and "acknowledged" in response.get_json()["error"]["fields"]


# ---- 催办 read receipts ----------------------------------------------------------------------------------

def test_urges_carry_the_owners_read_receipt_newest_first(world, api, client, quiet_queue):
    task = world.task()
    assert api("office").post(f"/tasks/{task.id}/urge", json={"message": "请本周内反馈"}).status_code == 201
    assert api("leader").post(f"/tasks/{task.id}/urge").status_code == 201
    assert api("office").post(f"/tasks/{task.id}/urge", json={"message": "第三次催办"}).status_code == 201
    cadre = api("cadre")
    items = cadre.get(f"/tasks/{task.id}/urges").get_json()["items"]
    assert [(u["by"], u["message"], u["read_at"]) for u in items] == [
        ("office", "第三次催办", None), ("leader", "", None), ("office", "请本周内反馈", None)]
    assert all(set(u) == {"id", "at", "by", "message", "read_at"} for u in items)
    assert items[0]["at"] > items[1]["at"] > items[2]["at"] or items[0]["id"] > items[1]["id"] > items[2]["id"]
    mine = {n["message"]: n["id"] for n in cadre.get("/notifications").get_json()["items"] if n["kind"] == "urge"}
    # A co-owner reading theirs is not the owner's receipt.
    helper_notice = next(n for n in api("cadre2").get("/notifications").get_json()["items"] if n["kind"] == "urge")
    assert api("cadre2").post(f"/notifications/{helper_notice['id']}/read").status_code == 200
    assert all(u["read_at"] is None for u in cadre.get(f"/tasks/{task.id}/urges").get_json()["items"])
    # The owner reads the first over the API …
    first = next(i for m, i in mine.items() if "请本周内反馈" in m)
    assert cadre.post(f"/notifications/{first}/read").status_code == 200
    after = cadre.get(f"/tasks/{task.id}/urges").get_json()["items"]
    assert after[2]["read_at"] is not None and after[0]["read_at"] is None and after[1]["read_at"] is None
    # … and opens the task from the third in the notification centre.
    third = next(i for m, i in mine.items() if "第三次催办" in m)
    login(client, "cadre")
    opened = post(client, f"/notices/{third}/read", {"open": "1"}, "/notices/")
    assert opened.status_code == 302 and opened.headers["Location"].endswith(f"/tasks/{task.id}")
    final = cadre.get(f"/tasks/{task.id}/urges").get_json()["items"]
    assert final[0]["read_at"] is not None and final[1]["read_at"] is None
    # Everyone who may read the task sees the receipts; beyond it, nothing is there.
    assert api("viewer").get(f"/tasks/{task.id}/urges").status_code == 200
    assert api("other_office").get(f"/tasks/{task.id}/urges").status_code == 404
    assert api("cadre").get("/tasks/999999/urges").status_code == 404


def test_a_refused_urge_is_no_urge(world, api):
    task = world.task()
    assert api("cadre").post(f"/tasks/{task.id}/urge", json={"message": "自己催自己"}).status_code == 403
    assert api("office").get(f"/tasks/{task.id}/urges").get_json() == {"items": []}


def test_the_task_page_shows_read_and_unread_urges(client, world, quiet_queue):
    task = world.task()
    immediate.urge(get_user("office"), task, "请尽快推进")
    db.session.commit()
    notice = immediate.urge(get_user("leader"), task, "领导催办")
    db.session.commit()
    owner_notice = next(n for n in notice if n.recipient_id == get_user("cadre").id)
    login(client, "office")
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "催办记录(2)" in page and page.count("责任人未读") == 2 and "领导催办" in page
    assert page.index("领导催办") < page.index("请尽快推进")  # newest first
    client.post("/logout", data={"csrf_token": token(client)})
    login(client, "cadre")
    post(client, f"/notices/{owner_notice.id}/read", {}, "/notices/")
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert page.count("责任人未读") == 1 and page.count("责任人已读") == 1


# ---- the pages ------------------------------------------------------------------------------------------

def test_the_task_page_offers_acknowledge_to_the_owner_only(client, world):
    task = world.task()
    login(client, "office")
    assert "待签收" in client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert f"/tasks/{task.id}/acknowledge" not in client.get(f"/tasks/{task.id}").get_data(as_text=True)
    forged = post(client, f"/tasks/{task.id}/acknowledge", {}, f"/tasks/{task.id}")
    assert forged.status_code == 403 and _acknowledged_at(task.id) is None
    assert [e.actor.username for e in _actions(task.id, "task.acknowledge.refused")] == ["office"]
    client.post("/logout", data={"csrf_token": token(client)})
    login(client, "cadre")
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert f'action="/tasks/{task.id}/acknowledge"' in page
    assert client.post(f"/tasks/{task.id}/acknowledge", data={}).status_code == 400  # no CSRF token: not a form
    done = post(client, f"/tasks/{task.id}/acknowledge", {}, f"/tasks/{task.id}", follow_redirects=True)
    text_after = done.get_data(as_text=True)
    assert done.status_code == 200 and "已签收《开展普法宣讲》" in text_after
    assert f'action="/tasks/{task.id}/acknowledge"' not in text_after and "待签收" not in text_after
    assert _acknowledged_at(task.id) is not None


def test_my_tasks_shows_unacknowledged_first_with_a_button_on_the_card(client, world):
    urgent = world.task(title="已签收但临期", due_date=date(2026, 11, 26))
    later = world.task(title="刚交办的任务", due_date=date(2026, 12, 30))
    acknowledgement.acknowledge(get_user("cadre"), urgent)
    db.session.commit()
    login(client, "cadre")
    page = client.get("/").get_data(as_text=True)
    assert page.index("刚交办的任务") < page.index("已签收但临期")
    assert f'formaction="/tasks/{later.id}/acknowledge"' in page
    assert f'formaction="/tasks/{urgent.id}/acknowledge"' not in page
    assert 'id="acknowledge-form"' in page
    response = post(client, f"/tasks/{later.id}/acknowledge", {"next": "home"}, "/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/")
    page = client.get("/").get_data(as_text=True)  # the kept list is read again: the task changed
    assert "已签收《刚交办的任务》" in page  # the flash, above the list
    cards = page[page.index('<ul class="tasks">'):]
    assert "formaction=" not in cards and cards.index("已签收但临期") < cards.index("刚交办的任务")


def test_the_dashboard_counts_unacknowledged_per_owner_and_unit(client, world):
    world.task(title="甲", unit="司法所")
    world.task(title="乙", unit="司法所")
    world.task(title="丙", owner="cadre3", co_owners=[], unit="综治中心")
    seen = world.task(title="丁", unit="司法所")
    acknowledgement.acknowledge(get_user("cadre"), seen)
    db.session.commit()
    login(client, "office")
    page = client.get("/dashboard").get_data(as_text=True)
    section = page[page.index('id="unacknowledged-head"'):]
    section = section[:section.index("</section>")]
    assert "未签收(3)" in section
    assert '<td>cadre姓名</td><td class="num">2</td>' in section
    assert '<td>cadre3姓名</td><td class="num">1</td>' in section
    assert '<td>司法所</td><td class="num">2</td>' in section and '<td>综治中心</td><td class="num">1</td>' in section


def test_the_thresholds_are_editable_in_the_rules(client, world, quiet_queue):
    base = {"due_soon_workdays": "3", "escalate_lead_after": "4", "escalate_committee_after": "11",
            "stalled_days": "30", "stalled_repeat_days": "7", "review_wait_workdays": "2", "digest_time": "09:00"}
    login(client, "office")
    page = client.get("/notices/rules").get_data(as_text=True)
    assert "交办后几个工作日未签收提醒责任人" in page and "待签收" in page
    bad = post(client, "/notices/rules", {**base, "unacknowledged_owner_after": "5",
                                          "unacknowledged_lead_after": "2"}, "/notices/rules")
    assert bad.status_code == 200 and "提醒牵头领导不能早于提醒责任人" in bad.get_data(as_text=True)
    good = post(client, "/notices/rules", {**base, "unacknowledged_owner_after": "2", "unacknowledged_lead_after": "5",
                                           "disabled_kinds": ["unacknowledged"]}, "/notices/rules")
    assert good.status_code == 302
    rule = db.session.scalar(select(ReminderRule))
    assert (rule.unacknowledged_owner_after, rule.unacknowledged_lead_after) == (2, 5)
    assert rule.disabled_kinds == ["unacknowledged"]
    # A form (or caller) that leaves them out keeps what is saved.
    rules.save_rules(get_user("office"), get_user("office").org, {**{k: int(v) for k, v in base.items()
                                                                    if k != "digest_time"}, "digest_time": "09:00"})
    db.session.commit()
    db.session.refresh(rule)
    assert (rule.unacknowledged_owner_after, rule.unacknowledged_lead_after) == (2, 5)


# ---- the reminder kind through real sweeps -------------------------------------------------------------

# 2024: Mon Sep 30 a working day, Oct 1–7 holidays, Tue Oct 8 – Thu Oct 10 working days.
SEP30, OCT8, OCT9, OCT10 = date(2024, 9, 30), date(2024, 10, 8), date(2024, 10, 9), date(2024, 10, 10)


def _sweep(day):
    beat = run_sweep(day)
    db.session.commit()
    return beat.counts


def _kinds(day, username):
    return [k for _, k, _, d in notices(username) if d == day]


def _assigned_on_sep30(world, **overrides) -> PlanTask:
    task = world.task(start_date=None, due_date=date(2024, 12, 31), **overrides)
    task.assigned_at = datetime(2024, 9, 30, 2, 0, tzinfo=timezone.utc)  # 10:00 in Beijing
    db.session.commit()
    return task


def test_the_owner_is_reminded_after_one_working_day_and_the_lead_after_three(app, world, quiet_queue):
    task = _assigned_on_sep30(world)
    assert _sweep(SEP30).get("unacknowledged", 0) == 0  # the day of assignment
    counts = _sweep(OCT8)  # the holiday does not count: the first working day after
    assert counts["unacknowledged"] == 1 and _kinds(OCT8, "cadre") == ["unacknowledged"]
    assert _kinds(OCT8, "leader") == [] and _kinds(OCT8, "cadre2") == []  # the co-owner is not pressed
    assert _sweep(OCT8)["unacknowledged"] == 0  # idempotent: a second sweep the same day adds nothing
    _sweep(OCT9)
    assert _kinds(OCT9, "leader") == [] and _kinds(OCT9, "cadre") == ["unacknowledged"]
    assert _sweep(OCT10)["unacknowledged"] == 2
    assert _kinds(OCT10, "leader") == ["unacknowledged"] and _kinds(OCT10, "office") == []
    notes = db.session.scalars(select(Notification).where(Notification.kind == "unacknowledged",
                                                          Notification.for_date == OCT10)).all()
    words = {n.recipient.username: compose.message(n) for n in notes}
    assert words["cadre"] == "《开展普法宣讲》已交办,请及时签收。"
    assert words["leader"] == "督办:《开展普法宣讲》交办后责任人cadre姓名尚未签收。"
    acknowledgement.acknowledge(get_user("cadre2"), db.session.get(PlanTask, task.id))
    db.session.commit()
    assert _sweep(date(2024, 10, 11))["unacknowledged"] == 0


def test_the_digest_email_of_a_pending_acknowledgement_is_composed_for_owner_and_lead(app, world, quiet_queue):
    """The send job composes from plain rows (deliver.py): the 待签收 sentence needs whose notice it is (bench.cluster
    found every digest with one raising AttributeError, so no e-mail went out)."""
    from tracker.models import Delivery
    from tracker.services.reminders import deliver
    app.config["MAIL_SERVER"] = "127.0.0.1"  # email is a channel only with a mail server (nothing is sent here)
    for username in ("cadre", "leader"):
        get_user(username).email = f"{username}@yunle.gov.cn"
    db.session.commit()
    _assigned_on_sep30(world)
    for day in (OCT8, OCT9):
        _sweep(day)
    db.session.commit()
    run_sweep(OCT10, digest_due=True)
    db.session.commit()
    ids = list(db.session.scalars(select(Delivery.id).where(Delivery.kind == "digest", Delivery.channel == "email",
                                                            Delivery.key_date == OCT10)))
    bodies = {out.to_addr: out.body for out in deliver.load_outgoing(ids)}
    assert "《开展普法宣讲》已交办,请及时签收。" in bodies["cadre@yunle.gov.cn"]
    assert "督办:《开展普法宣讲》交办后责任人cadre姓名尚未签收。" in bodies["leader@yunle.gov.cn"]


def test_acknowledged_proxied_and_switched_off(app, world, quiet_queue):
    reported = _assigned_on_sep30(world, title="已反馈")
    progress.record_progress(get_user("cadre"), reported, percent=10, note="已开展")
    proxied = _assigned_on_sep30(world, title="代报的", owner="cadre3", co_owners=[])
    progress.record_progress(get_user("office"), proxied, percent=10, note="代报")
    db.session.commit()
    _sweep(OCT8)
    assert _kinds(OCT8, "cadre") == [] and _kinds(OCT8, "cadre3") == ["unacknowledged"]
    rules.save_rules(get_user("office"), get_user("office").org, {
        "due_soon_workdays": 3, "escalate_lead_after": 4, "escalate_committee_after": 11, "stalled_days": 30,
        "stalled_repeat_days": 7, "review_wait_workdays": 2, "digest_time": "09:00",
        "unacknowledged_owner_after": 2, "unacknowledged_lead_after": 2})
    db.session.commit()
    assert _sweep(OCT9)["unacknowledged"] == 2  # owner and lead both on the second working day
    rule = db.session.scalar(select(ReminderRule))
    rules.save_rules(get_user("office"), get_user("office").org, {
        "due_soon_workdays": 3, "escalate_lead_after": 4, "escalate_committee_after": 11, "stalled_days": 30,
        "stalled_repeat_days": 7, "review_wait_workdays": 2, "digest_time": "09:00",
        "disabled_kinds": ["unacknowledged"]})
    db.session.commit()
    db.session.refresh(rule)
    assert rule.unacknowledged_owner_after == 2  # kept: not sent
    assert _sweep(OCT10).get("unacknowledged", 0) == 0


# ---- the migration --------------------------------------------------------------------------------------

def test_0600_fills_acknowledged_at_from_the_first_update_and_goes_back(fresh_database):
    upgrade(directory=MIGRATIONS, revision="0530")
    engine = db.engine
    with engine.begin() as conn:
        for statement in ROWS:
            conn.execute(text(statement))
        conn.execute(text(
            "INSERT INTO plan_task (id, plan_id, org_id, theme_id, title, description, report_section, owner_id,"
            " unit, status, progress, created_at, updated_at, version) VALUES (2, 1, 1, 1, '调解', '', 5, 1, '',"
            " 'assigned', 0, '2026-01-05', '2026-01-05', 1)"))
        for i, at in ((1, "2026-03-02 08:00:00"), (2, "2026-02-01 09:30:00"), (3, "2026-04-01 10:00:00")):
            conn.execute(text("INSERT INTO progress_update (id, task_id, author_id, percent, previous_percent, note,"
                              f" created_at) VALUES ({i}, 1, 1, {10 * i}, 0, '进展', '{at}')"))
        conn.execute(text("INSERT INTO reminder_rule (id, org_id, due_soon_workdays, escalate_lead_after,"
                          " escalate_committee_after, stalled_days, stalled_repeat_days, review_wait_workdays,"
                          " digest_time, disabled_kinds, updated_at) VALUES (1, 1, 3, 4, 11, 30, 7, 2, '09:00',"
                          " '[\"stalled\"]', '2026-01-05')"))
    upgrade(directory=MIGRATIONS, revision="0600")
    with engine.begin() as conn:
        filled = dict(conn.execute(text("SELECT id, acknowledged_at FROM plan_task ORDER BY id")).all())
        assert str(filled[1]).startswith("2026-02-01 09:30") and filled[2] is None
        assert conn.execute(text("SELECT unacknowledged_owner_after, unacknowledged_lead_after FROM reminder_rule"
                                 )).one() == (1, 3)
        conn.execute(text("UPDATE reminder_rule SET disabled_kinds = '[\"stalled\", \"unacknowledged\"]'"))
        conn.execute(text("INSERT INTO notification (id, recipient_id, task_id, kind, key_date, source_id, for_date,"
                          " note, created_at) VALUES (2, 1, 2, 'unacknowledged', '2026-01-06', 0, '2026-01-06', '',"
                          " '2026-01-06')"))
    downgrade(directory=MIGRATIONS, revision="0530")
    columns = {c["name"] for c in inspect(create_engine(engine.url)).get_columns("plan_task")}
    assert "acknowledged_at" not in columns
    with engine.begin() as conn:
        assert list(conn.scalars(text("SELECT kind FROM notification"))) == ["assigned"]
        assert conn.scalar(text("SELECT disabled_kinds FROM reminder_rule")) in ('["stalled"]', ["stalled"])
        assert conn.scalar(text("SELECT count(*) FROM progress_update")) == 3
        with pytest.raises(Exception, match="CHECK constraint failed"):
            conn.execute(text("UPDATE notification SET kind = 'unacknowledged'"))
    upgrade(directory=MIGRATIONS)


def test_the_waiting_tasks_are_read_from_their_partial_index(app):
    """The dashboard's 未签收 counts imply the index's predicate (migration 0670), so the database can read the
    few waiting tasks instead of every task; a condition written differently would silently scan again."""
    from sqlalchemy import func

    from tracker.models import Plan
    query = select(func.count()).select_from(PlanTask).where(
        PlanTask.plan_id.in_(select(Plan.id).where(Plan.year == 2026)), acknowledgement.pending_sql())
    compiled = query.compile(dialect=db.engine.dialect)
    with db.engine.connect() as conn:
        if db.engine.dialect.name == "postgresql":
            conn.exec_driver_sql("SET enable_seqscan = off")  # a tiny table would be scanned anyway
            plan = conn.exec_driver_sql(f"EXPLAIN {compiled}", compiled.params).scalars().all()
        else:
            params = tuple(compiled.params[name] for name in compiled.positiontup)
            plan = [row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", params)]
    assert any("ix_plan_task_unacknowledged" in line for line in plan), plan
