"""Nothing lost, nothing doubled: a killed worker, an SMTP server that is down, a Redis that restarts."""
from collections import Counter
from datetime import date

from sqlalchemy import select

import config
from tests.reminders_fixtures import quiet_queue, reminder_worker, robot_server, smtp, wait_until  # noqa: F401
from tracker import create_app, embedded_redis
from tracker.extensions import db
from tracker.models import Delivery
from tracker.services.people.users import get_user
from tracker.services.reminders.immediate import urge


def _tasks(world, n):
    return [world.task(start_date=None, due_date=date(2026, 12, 31), co_owners=[], title=f"任务{i:02d}")
            for i in range(n)]


def _urge_all(tasks):
    """Urge every task in one transaction: one batch of deliveries for the send job."""
    office = get_user("office")
    for task in tasks:
        urge(office, task, "")
    db.session.commit()


def _by_title(smtp):
    return Counter(m["subject"] for m in smtp.messages)


def _statuses():
    db.session.rollback()
    return Counter(d.status for d in db.session.scalars(select(Delivery)))


def _email(username):
    get_user(username).email = f"{username}@example.org"
    db.session.commit()


def _age_claims(app) -> None:
    """Move every delivery's hand-out and claim back past REMINDER_STALE_SECONDS instead of sleeping that long."""
    from datetime import timedelta
    back = timedelta(seconds=app.config["REMINDER_STALE_SECONDS"] + 1)
    db.session.rollback()  # read what the worker committed
    for delivery in db.session.scalars(select(Delivery)):
        delivery.claimed_at = delivery.claimed_at - back if delivery.claimed_at else None
        delivery.queued_at = delivery.queued_at - back if delivery.queued_at else None
    db.session.commit()


def test_worker_killed_mid_batch_loses_nothing(app, world, runner, smtp, reminder_worker):
    tasks = _tasks(world, 20)
    _email("cadre")
    worker = reminder_worker(REMINDER_MARK_EVERY=1).start()
    smtp.delay = 0.15
    _urge_all(tasks)
    assert wait_until(lambda: len(smtp.messages) >= 4, 30), worker.text()
    worker.kill()
    sent_before_kill = len(smtp.messages)
    assert sent_before_kill < 20
    smtp.delay = 0
    worker.start()
    _age_claims(app)  # as if REMINDER_STALE_SECONDS had passed: the dead worker's claims are stale
    assert runner.invoke(args=["reminders", "run"]).exit_code == 0
    assert wait_until(lambda: len(_by_title(smtp)) == 20, 30), worker.text()
    worker.settle()
    counts = _by_title(smtp)
    assert set(counts) == {f"【催办】《任务{i:02d}》" for i in range(20)}
    assert sum(counts.values()) - 20 <= 1  # at most the message in flight at the kill is repeated
    assert _statuses() == Counter({"sent": 20})
    # The log says how many may have arrived twice: never fewer than did, at most the one marked in flight.
    from tracker.services.reminders.log import summary
    maybe_more = summary(get_user("office").org_id)["email"]["maybe_more"]
    assert sum(counts.values()) - 20 <= maybe_more <= 1


def test_smtp_down_then_back_everything_arrives_once(app, world, smtp, reminder_worker):
    tasks = _tasks(world, 3)
    _email("cadre")
    worker = reminder_worker(REMINDER_MAX_ATTEMPTS=12).start()
    smtp.stop()
    _urge_all(tasks)
    assert wait_until(lambda: db.session.rollback() or all(
        d.attempts >= 2 for d in db.session.scalars(select(Delivery))), 20), worker.text()
    assert smtp.messages == []
    smtp.start()
    assert wait_until(lambda: len(smtp.messages) == 3, 30), worker.text()
    worker.settle()
    assert sorted(_by_title(smtp).values()) == [1, 1, 1]
    assert _statuses() == Counter({"sent": 3})
    assert all(d.last_error == "" for d in db.session.scalars(select(Delivery)))


def test_redis_restarted_between_sweep_and_send_loses_nothing(app, world, smtp, reminder_worker, services, tmp_path):
    tasks = _tasks(world, 2)
    world.task(start_date=None, due_date=date(2024, 9, 20), co_owners=[], title="逾期任务")
    _email("cadre")
    proc, url = embedded_redis.start(tmp_path / "own-redis")
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    try:
        worker = reminder_worker(REDIS_URL=url)
        settings = config.TestConfig()
        settings.CELERY = {**settings.CELERY, "broker_url": url}
        own = create_app(settings, INSTANCE_DIR=str(tmp_path / "own"), SECRET_KEY="test-secret",
                         REMINDER_QUEUE=worker.queue, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port,
                         REMINDER_STALE_SECONDS=3.0)
        with own.app_context():
            _urge_all([db.session.merge(t) for t in tasks])  # queued on commit into this Redis
            from tasks.reminders import sweep_and_hand_out
            sweep_and_hand_out(date(2024, 10, 8), digest_due=True)
            db.session.remove()
        proc.kill()  # no persistence: the queued send jobs are gone
        proc.wait(timeout=10)
        proc, _ = embedded_redis.start(tmp_path / "own-redis", port=port)
        worker.start()
        worker.settle()
        assert smtp.messages == []  # the messages went with the old Redis
        _age_claims(app)  # as if REMINDER_STALE_SECONDS had passed
        with own.app_context():
            from tasks.reminders import sweep_and_hand_out
            sweep_and_hand_out(date(2024, 10, 8), digest_due=True)
            db.session.remove()
        assert wait_until(lambda: len(smtp.messages) == 3, 30), worker.text()  # 2 urges + 1 digest
        worker.settle()
        assert sorted(_by_title(smtp).values()) == [1, 1, 1]
        assert _statuses() == Counter({"sent": 3})
    finally:
        worker.stop()
        proc.kill()
        proc.wait(timeout=10)


def test_two_hand_outs_at_once_return_only_what_each_claimed(app, world, smtp, quiet_queue):
    import threading

    from tracker.models.types import utcnow
    from tracker.services.reminders import outbox
    _email("cadre")
    _urge_all(_tasks(world, 5))
    _age_claims(app)  # their messages count as lost: both hand-outs would take them
    results, first_claimed, first_may_commit = {}, threading.Event(), threading.Event()

    def hand_out(name):
        with app.app_context():
            if name == "second":
                first_claimed.wait(10)  # runs while the first holds its rows, uncommitted
            results[name] = outbox.claim_for_handout(utcnow())
            if name == "first":
                first_claimed.set()
                first_may_commit.wait(10)
            db.session.commit()

    threads = [threading.Thread(target=hand_out, args=(n,)) for n in ("first", "second")]
    for thread in threads:
        thread.start()
    assert first_claimed.wait(10)
    import time
    time.sleep(0.5)  # the second hand-out is now waiting for the first's locks
    first_may_commit.set()
    for thread in threads:
        thread.join(20)
    ids = sorted(d.id for d in db.session.scalars(select(Delivery)))
    assert len(ids) == 10 and results["first"] == ids  # 交办 and 催办 of five tasks
    assert results["second"] == []  # it read the same rows but claimed none of them


def test_redis_gone_under_the_robot_rate_limiter_is_a_recorded_failure(app, world, robot_server, quiet_queue,
                                                                       tmp_path):
    from datetime import timedelta

    from tasks.reminders import send_batch
    from tracker.models import OrgChannels
    office = get_user("office")
    db.session.add(OrgChannels(org_id=office.org_id, is_email_on=False, wecom_webhook=robot_server.url + "/wecom",
                               dingtalk_webhook="", dingtalk_secret=""))
    db.session.commit()
    tasks = _tasks(world, 3)  # three 交办 messages to the WeCom robot
    proc, url = embedded_redis.start(tmp_path / "limiter-redis")
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    broker = app.config["CELERY"]
    app.config["CELERY"] = {**broker, "broker_url": url}  # the limiter counts in this Redis
    try:
        def redis_dies(n):
            if n == 1:  # once the first message is on its way
                proc.kill()
                proc.wait(timeout=10)
        robot_server.on_request = redis_dies
        ids = sorted(db.session.scalars(select(Delivery.id)))
        later = send_batch(ids)  # raised ConnectionError before, leaving the first send unrecorded
        assert len(robot_server.requests) == 1
        rows = {d.id: d for d in db.session.scalars(select(Delivery))}
        assert sorted(d.status for d in rows.values()) == ["pending", "pending", "sent"]
        waiting = [d for d in rows.values() if d.status == "pending"]
        assert all(d.last_error == "发送频率计数服务(Redis)暂时不可用,稍后重试" and d.attempts == 1
                   and d.claimed_at is None for d in waiting)
        assert sorted(i for again, _ in later for i in again) == sorted(d.id for d in waiting)
        proc, _ = embedded_redis.start(tmp_path / "limiter-redis", port=port)
        robot_server.on_request = None
        for d in waiting:  # as if the retry's backoff had passed
            d.next_attempt_at -= timedelta(hours=2)
        db.session.commit()
        assert send_batch(ids) == []
        assert _statuses() == Counter({"sent": 3})
        sent_titles = Counter(t.title for r in robot_server.requests for t in tasks if t.title in str(r["json"]))
        assert sent_titles == Counter({t.title: 1 for t in tasks})  # each once: nothing went twice
    finally:
        app.config["CELERY"] = broker
        proc.kill()
        proc.wait(timeout=10)


def test_a_robot_that_served_a_message_then_timed_out_is_counted_as_maybe_twice(app, client, world, robot_server,
                                                                                 quiet_queue):
    from datetime import timedelta

    from tasks.reminders import send_batch
    from tracker.models import OrgChannels
    from tracker.services.reminders.log import summary
    office = get_user("office")
    db.session.add(OrgChannels(org_id=office.org_id, is_email_on=False, wecom_webhook=robot_server.url + "/wecom",
                               dingtalk_webhook="", dingtalk_secret=""))
    db.session.commit()
    app.config["ROBOT_TIMEOUT"] = 0.5
    robot_server.slow_first = 1.5
    _tasks(world, 2)
    ids = sorted(db.session.scalars(select(Delivery.id)))
    send_batch(ids)
    db.session.rollback()
    first = db.session.get(Delivery, ids[0])
    assert first.status == "pending" and first.last_error == "连接机器人服务器超时,对方可能已收到"
    assert first.uncertain_attempts == 1
    first.next_attempt_at -= timedelta(hours=2)  # as if the backoff had passed
    db.session.commit()
    send_batch(ids)
    assert _statuses() == Counter({"sent": 2})
    assert len(robot_server.requests) == 3  # the robot posted the first message twice
    wecom = summary(office.org_id)["wecom"]
    assert wecom["sent"] == 2 and wecom["maybe_more"] == 1  # received 3: within sent … sent + maybe_more
    from tests.test_reminders_web import login
    login(client, "office")
    page = client.get("/notices/log").get_data(as_text=True)
    assert "可能重复送达" in page and "最多 1 条" in page
