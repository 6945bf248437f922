"""What pages keep between requests (issue 7): settings per web process, the dashboard's counts in Redis.

Each cache must give the same page as no cache: a change committed here shows at once, one committed
elsewhere within the stated time, and a missing Redis costs only speed.
"""
import re
import time
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from sqlalchemy import create_engine, insert, select
from sqlalchemy.dialects import postgresql

from tests.test_statement_counts import count_statements
from tests.web_fixtures import as_user, login
from tracker.extensions import db
from tracker.models import CalendarOverride, PlanTask, task_is_open
from tracker.services.infra.shared_cache import redis_client
from tracker.services.people.users import get_user
from tracker.services.reminders import rules
from tracker.services.tasks import progress
from tracker.services.tasks.lists import my_tasks

TODAY = date(2026, 11, 25)  # conftest's FIXED_TODAY, a Wednesday


@contextmanager
def statements():
    """The text of the SQL statements run inside the block."""
    with count_statements() as counter:
        yield counter["sql"]


def _reads(seen, table):
    return sum(1 for s in seen if re.search(rf"\bFROM {table}\b", s))


def _my_page(client):
    return client.get("/").get_data(as_text=True)


def test_calendar_read_once_per_process_and_again_after_a_commit_here(client, world):
    world.task(title="普法宣讲", due_date=TODAY)
    login(client, "cadre")
    assert "(今天到期)" in _my_page(client)
    with statements() as seen:
        assert "(今天到期)" in _my_page(client)
    assert _reads(seen, "calendar_override") == 0 and _reads(seen, "reminder_rule") == 0
    # A committed change in this process (here through the ORM, as the calendar page does) is seen at once:
    # today becomes a day off, so the task is met by tomorrow.
    db.session.add(CalendarOverride(day=TODAY, is_workday=False, note="临时调整"))
    db.session.commit()
    with statements() as seen:
        page = _my_page(client)
    assert _reads(seen, "calendar_override") == 1
    assert "(今天到期)" not in page and "(剩1个工作日)" in page


def test_a_change_from_another_worker_is_seen_within_the_stated_time(app, client, world, services):
    world.task(title="普法宣讲", due_date=TODAY)
    app.config["SETTINGS_CACHE_SECONDS"] = 0.5
    login(client, "cadre")
    assert "(今天到期)" in _my_page(client)
    # Another web worker's commit: a connection of its own, which this process's session never sees.
    other = create_engine(services["database_url"].replace("postgresql://", "postgresql+psycopg://", 1))
    with other.begin() as conn:
        conn.execute(insert(CalendarOverride.__table__).values(day=TODAY, is_workday=False, note="别处修改",
                                                               created_at=db.func.now()))
    other.dispose()
    assert "(今天到期)" in _my_page(client)  # still this worker's copy
    time.sleep(0.6)
    assert "(今天到期)" not in _my_page(client)


def test_rules_saved_here_apply_to_the_next_page(client, world):
    world.task(title="五天后到期的任务", due_date=date(2026, 12, 2))  # 5 working days ahead: green by default
    login(client, "cadre")
    assert 'class="task light-green"' in _my_page(client)
    office = get_user("office")
    rules.save_rules(office, office.org, _rules(7))
    db.session.commit()
    assert 'class="task light-yellow"' in _my_page(client)


def test_a_rolled_back_change_is_not_kept(app, client, world):
    from tracker.services.calendar.overrides import set_override
    from tracker.services.calendar.workdays import is_workday
    world.task(title="普法宣讲", due_date=TODAY)
    login(client, "cadre")
    _my_page(client)
    with app.test_request_context("/"):
        set_override(get_user("county_office"), TODAY, False, "未提交")
        assert not is_workday(TODAY)  # this request sees its own change, the other requests do not…
        db.session.rollback()
    assert "(今天到期)" in _my_page(client)  # …nor after the rollback


def _rules(due_soon):
    return {"due_soon_workdays": due_soon, "escalate_lead_after": 4, "escalate_committee_after": 11,
            "stalled_days": 30, "stalled_repeat_days": 7, "review_wait_workdays": 2, "digest_time": "09:00",
            "disabled_kinds": []}


def _other_worker_sets_due_soon(services, value):
    from tracker.models import ReminderRule
    other = create_engine(services["database_url"].replace("postgresql://", "postgresql+psycopg://", 1))
    with other.begin() as conn:
        conn.execute(ReminderRule.__table__.update().values(due_soon_workdays=value))
    other.dispose()


def test_editing_pages_and_their_audit_read_what_is_committed(app, client, world, services):
    from tracker.models import AuditEntry
    office = get_user("office")
    rules.save_rules(office, office.org, _rules(5))
    db.session.commit()
    login(client, "office")

    def copy_says():
        client.get("/")  # a list page fills this worker's copy
        return app.extensions["tracker.settings_cache"]["rules"][1][office.org_id].due_soon_workdays

    assert copy_says() == 5
    _other_worker_sets_due_soon(services, 7)
    with app.test_request_context("/"):
        rules.save_rules(office, office.org, _rules(4))
        db.session.commit()
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "reminders.rules")
                               .order_by(AuditEntry.id.desc())).first()
    assert entry.changes["due_soon_workdays"] == [7, 4]  # from the row, not the copy's 5
    assert copy_says() == 4
    _other_worker_sets_due_soon(services, 6)
    page = client.get("/notices/rules").get_data(as_text=True)
    assert re.search(r'name="due_soon_workdays"[^>]*value="6"', page) or \
        re.search(r'value="6"[^>]*name="due_soon_workdays"', page)


def test_light_bounds_follow_rules_saved_in_the_same_job(app, world):
    from tracker.services.tasks.lights import bounds
    office = get_user("office")
    with app.app_context():
        assert bounds(TODAY).custom_org_ids == ()
        rules.save_rules(office, office.org, _rules(7))
        assert bounds(TODAY).custom_org_ids == (office.org_id,)
        db.session.rollback()


def test_jobs_read_the_calendar_afresh(app, world):
    from tracker.services.calendar.workdays import is_workday
    with app.app_context():
        assert is_workday(TODAY)
    with db.engine.begin() as conn:  # committed behind the ORM's back, as another process would
        conn.execute(insert(CalendarOverride.__table__).values(day=TODAY, is_workday=False, note="",
                                                               created_at=db.func.now()))
    with app.app_context():  # a job's or command's own app context
        assert not is_workday(TODAY)


@pytest.fixture
def counts_cache(app):
    """Shared counts switched on (the suite runs with them off), with no entries from earlier tests."""
    app.config["COUNTS_CACHE_SECONDS"] = 60
    client = redis_client(app.config["REDIS_URL"])
    for key in client.scan_iter("tracker:cache:counts:*"):
        client.delete(key)
    return client


def _total(html):
    return int(re.search(r'<span class="big">(\d+)</span>全部任务', html).group(1))


def _content(html):
    return html[html.index("<h1>"):html.index("</main>")]


def test_dashboard_counts_are_shared_until_a_task_changes(client, world, counts_cache):
    from tracker.services.figures import targets
    first = world.task(title="任务一")
    world.task(title="任务二", due_date=date(2026, 11, 2))
    aimed = world.task(title="任务三", theme="实", report_section=2)
    targets.set_targets(get_user("office"), aimed, [{"name": "普法宣讲", "value": "8.5", "unit": "次"}])
    progress.record_progress(get_user("cadre"), aimed, percent=10, note="开讲",
                             metrics=[{"name": "普法宣讲", "value": "3.25", "unit": "次"}])
    db.session.commit()
    login(client, "office")
    with statements() as cold:
        html = client.get("/dashboard").get_data(as_text=True)
    assert _total(html) == 3 and "任务二" in html and "8.5" in html and "3.25" in html
    with statements() as warm:
        again = client.get("/dashboard").get_data(as_text=True)
    assert _content(again) == _content(html)  # counts, labels, figure targets, the overdue list
    assert any("dashboard_base" in s or "GROUPING" in s.upper() for s in cold)
    assert not any("dashboard_base" in s or "GROUPING" in s.upper() for s in warm)
    assert len(warm) < len(cold)
    # Any change to a task shows on the next view: progress on one (法's average 0 → 20 %), a new task.
    assert 'aria-valuenow="20"' not in again
    progress.record_progress(get_user("cadre"), first, percent=40, note="推进中")
    db.session.commit()
    assert 'aria-valuenow="20"' in client.get("/dashboard").get_data(as_text=True)
    world.task(title="任务四")
    assert _total(client.get("/dashboard").get_data(as_text=True)) == 4


def test_dashboard_works_without_redis(app, client, world, counts_cache):
    world.task(title="任务一")
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens there
    login(client, "office")
    response = client.get("/dashboard")
    assert response.status_code == 200 and _total(response.get_data(as_text=True)) == 1


def test_list_totals_are_shared_until_a_task_changes(client, world, counts_cache):
    for i in range(3):
        world.task(title=f"任务{i}", due_date=date(2026, 11, 2 + i))
    login(client, "office")

    def totals(url):
        with statements() as seen:
            html = client.get(url).get_data(as_text=True)
        return int(re.search(r"共 (\d+) 条", html).group(1)), sum(s.lower().startswith("select count(*)") and "FROM plan_task" in s for s in seen)

    assert totals("/tasks?per_page=1") == (3, 1)
    assert totals("/tasks?per_page=1&page=2") == (3, 0)  # the next page: the same total, not counted again
    assert totals("/tasks?per_page=1&light=red") == (3, 1)  # other filters: a count of their own
    world.task(title="新任务")
    assert totals("/tasks?per_page=1&page=2") == (4, 1)


def test_my_tasks_counts_in_the_same_statement_and_past_the_last_page(app, world):
    for i in range(3):
        world.task(title=f"任务{i}")
    cadre = get_user("cadre")
    with app.test_request_context("/"):
        with statements() as seen:
            rows, total = my_tasks(cadre, TODAY, 1, 2)
        assert (len(rows), total) == (2, 3)
        assert sum("FROM plan_task" in s for s in seen) == 1  # the rows and their count together
        assert my_tasks(cadre, TODAY, 2, 2)[1] == 3
        assert my_tasks(cadre, TODAY, 9, 2) == ([], 3)


def test_closed_statuses_are_written_into_the_sql():
    """A bound `NOT IN ($1, $2, $3)` hides the partial indexes from a prepared statement's generic plan."""
    sql = str(select(PlanTask.id).where(task_is_open()).compile(dialect=postgresql.dialect()))
    assert "NOT IN ('done', 'cancelled', 'carried_over')" in sql


def _task_reads(seen):
    """Statements that read tasks, other than the newest-change check."""
    return [s for s in seen if "FROM plan_task" in s and "max(plan_task.updated_at)" not in s]


def test_my_tasks_page_is_shared_until_a_task_changes(app, client, world, counts_cache):
    first = world.task(title="宪法宣传周", due_date=date(2026, 11, 20))
    world.task(title="行政复议")
    world.task(title="别人的任务", owner="cadre3", co_owners=[])
    login(client, "cadre")
    with statements() as cold:
        html = _my_page(client)
    with statements() as warm:
        again = _my_page(client)
    assert "宪法宣传周" in html and "行政复议" in html and "别人的任务" not in html
    assert _content(again) == _content(html)
    assert _task_reads(cold) and not _task_reads(warm) and len(warm) < len(cold)
    # The owner's progress shows on the very next view, and so does a new task.
    progress.record_progress(get_user("cadre"), first, percent=40, note="推进中")
    db.session.commit()
    assert 'aria-valuenow="40"' in _my_page(client)
    world.task(title="公证服务")
    assert "公证服务" in _my_page(client)
    # Another query string is another page; another user sees only their own tasks.
    searched = client.get("/?q=行政复议").get_data(as_text=True)
    assert "行政复议" in searched and "宪法宣传周" not in searched
    with as_user(app, "cadre3") as other:
        theirs = _my_page(other)
    assert "别人的任务" in theirs and "宪法宣传周" not in theirs


def test_waiting_requests_are_counted_on_every_view(client, world, counts_cache):
    from tracker.services.tasks import requests
    task = world.task(title="宪法宣传周", lead="office")
    login(client, "office")
    assert "等待您审核" not in _my_page(client)
    requests.request_extension(get_user("cadre"), task, date(2027, 1, 31), "材料未齐")
    db.session.commit()  # a request changes no task, yet the banner must show at once
    assert "有 1 项申请等待您审核" in _my_page(client)


def test_api_task_pages_are_shared_until_a_task_changes(client, world, api, counts_cache):
    task = world.task(title="宪法宣传周")
    world.task(title="行政复议", due_date=date(2026, 11, 2))
    office = api("office")
    with statements() as cold:
        body = office.get("/tasks?per_page=1").get_json()
    with statements() as warm:
        again = office.get("/tasks?per_page=1").get_json()
    assert again == body and body["total"] == 2 and body["items"][0]["title"] == "行政复议"
    assert _task_reads(cold) and not _task_reads(warm)
    assert office.get("/tasks?per_page=1&page=2").get_json()["items"][0]["title"] == "宪法宣传周"
    changed = office.patch(f"/tasks/{task.id}", json={"title": "宪法宣传周(改)", "version": task.version})
    assert changed.status_code == 200, changed.get_json()
    assert office.get("/tasks?per_page=1&page=2").get_json()["items"][0]["title"] == "宪法宣传周(改)"
    # Another township's committee shares nothing with this one.
    assert api("other_office").get("/tasks?per_page=1").get_json()["total"] == 0


def test_a_change_in_the_same_request_reads_the_newest_change_again(app, world, counts_cache):
    from tracker.services.tasks import counting
    task = world.task(title="宪法宣传周")
    office = get_user("office")
    with app.test_request_context("/"):
        before = counting.shared(office, TODAY, "titles", lambda: [t.title for t in db.session.scalars(
            select(PlanTask))])
        task = db.session.get(PlanTask, task.id)
        task.title = "宪法宣传周(改)"
        db.session.flush()  # not yet committed: the newest change is read again all the same
        after = counting.shared(office, TODAY, "titles", lambda: [t.title for t in db.session.scalars(
            select(PlanTask))])
        db.session.rollback()
    assert (before, after) == (["宪法宣传周"], ["宪法宣传周(改)"])


def test_a_warm_page_is_one_statement(client, world, api, counts_cache):
    """The signed-in user (or the API token), the badge and the newest task change come in one statement."""
    from flask import g
    world.task(title="宪法宣传周")
    office = api("office")
    login(client, "cadre")
    _my_page(client)  # kept in Redis
    office.get("/tasks")
    g.pop("_login_user", None)  # the test's app context outlives requests: load the user as a worker does
    with statements() as page:
        html = _my_page(client)
    with statements() as listed:
        body = office.get("/tasks").get_json()
    assert "宪法宣传周" in html and body["items"][0]["title"] == "宪法宣传周"
    assert len(page) == 1 and "FROM user_account" in page[0] and "max(plan_task.updated_at)" in page[0]
    assert len(listed) == 1 and "FROM api_token" in listed[0] and "max(plan_task.updated_at)" in listed[0]


def _kept_pages(redis):
    return sorted(k for k in redis.scan_iter("tracker:cache:counts:*"))


def test_a_change_committed_out_of_timestamp_order_shows_at_once(client, world, counts_cache):
    """A request flushed (and stamped updated_at) before another that committed first: max(updated_at) cannot
    tell, the count of commits that changed tasks can."""
    mine = world.task(title="宪法宣传周")
    world.task(title="行政复议", owner="cadre3", co_owners=[])  # the newest change
    login(client, "cadre")
    assert 'aria-valuenow="0"' in _my_page(client)
    task = db.session.get(PlanTask, mine.id)
    stamp = task.updated_at
    task.progress = 40
    db.session.flush()
    task.updated_at = stamp - timedelta(minutes=5)  # as if flushed before the other task's commit
    db.session.commit()
    assert 'aria-valuenow="40"' in _my_page(client)


def test_a_handover_of_helpers_shows_at_once(client, world, api, counts_cache):
    from tracker.services.people.users import deactivate_user
    task = world.task(title="宪法宣传周")  # cadre2 only helps with it
    office = api("office")
    assert office.get("/tasks").get_json()["items"][0]["co_owners"] == ["cadre2"]
    version = task.version
    with as_user(client.application, "cadre3") as other:
        assert "宪法宣传周" not in _my_page(other)
        deactivate_user(get_user("cadre2"), handover=get_user("cadre3"), actor=get_user("office"))
        db.session.commit()
        assert "宪法宣传周" in _my_page(other)
    db.session.expire_all()  # the test's own session still holds the task as it was loaded before
    item = office.get("/tasks").get_json()["items"][0]
    assert item["co_owners"] == ["cadre3"] and item["version"] == version + 1


def test_a_pending_change_is_not_kept_under_the_committed_key(app, world, counts_cache):
    from tracker.services.tasks import counting
    task = world.task(title="宪法宣传周")
    office = get_user("office")

    def titles():
        return counting.shared(office, TODAY, "titles", lambda: [t.title for t in db.session.scalars(
            select(PlanTask))])

    with app.test_request_context("/"):
        db.session.get(PlanTask, task.id).title = "改了又撤回"  # not flushed
        assert titles() == ["改了又撤回"]
        db.session.rollback()
    with app.test_request_context("/"):
        assert titles() == ["宪法宣传周"]


def test_searches_and_unknown_parameters_are_not_kept(client, world, api, counts_cache):
    world.task(title="宪法宣传周")
    login(client, "cadre")
    for url in ("/?q=宪法", "/?unit=司法", "/?_=1732500000", "/?page=abc", "/?status=bogus", "/?sort=evil"):
        assert "宪法宣传周" in _my_page_at(client, url)
    assert api("office").get("/tasks?q=宪法").get_json()["total"] == 1
    assert not [k for k in _kept_pages(counts_cache) if b"home:" in k or b"api-tasks:" in k]
    # The filter form sends every field, the blank ones too: that list is kept, and is the plain one.
    _my_page_at(client, "/?q=&theme=&status=&light=&section=&unit=&sort=urgency")
    assert len([k for k in _kept_pages(counts_cache) if b"home:" in k]) == 1
    _my_page_at(client, "/?sort=urgency")
    assert len([k for k in _kept_pages(counts_cache) if b"home:" in k]) == 1


def _my_page_at(client, url):
    return client.get(url).get_data(as_text=True)


def test_only_the_outer_commit_counts_a_task_change(world, counts_cache):
    """A savepoint's end is no commit: released, it must not count the change yet; rolled back, it must not
    forget the change made before it."""
    from tracker.services.tasks.counting import GENERATION_KEY
    task = world.task(title="宪法宣传周")

    def generation():
        return int(counts_cache.get(GENERATION_KEY) or 0)

    start = generation()
    db.session.get(PlanTask, task.id).progress = 10
    db.session.flush()
    with db.session.begin_nested():
        pass
    assert generation() == start
    try:
        with db.session.begin_nested():
            raise RuntimeError("a failed step")
    except RuntimeError:
        pass
    db.session.commit()
    assert generation() == start + 1


def test_a_writer_that_keeps_nothing_still_counts_its_task_changes(app, world, counts_cache):
    """A worker or command run with COUNTS_CACHE_SECONDS=0 writes for web workers that keep pages."""
    from tracker.services.tasks.counting import GENERATION_KEY
    app.config["COUNTS_CACHE_SECONDS"] = 0
    start = int(counts_cache.get(GENERATION_KEY) or 0)
    world.task(title="宪法宣传周")
    assert int(counts_cache.get(GENERATION_KEY) or 0) > start
