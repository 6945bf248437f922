"""Benchmark (not a test): how fast a real Celery worker delivers reminders to the app and to an SMTP server.

    .venv/bin/python -m bench.reminders_delivery                                # a throw-away SQLite database
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/<yours> .venv/bin/python -m bench.reminders_delivery
                                                                                # an EMPTY database of your own

100,000 open tasks, 2,000 of them due around 2024-10-09, 1,000 cadres with email. A real `celery worker`
(prefork ×2, the default settings) and an aiosmtpd server on loopback (in this process, counting messages):
(1) the worker runs the day's sweep: in-app notices a second (the sweep's own heartbeat times), then the
day's email digests it hands out, sent to the SMTP server; (2) 5,000 immediate emails (催办) handed out at
once. Robots are throttled by design and not measured. The load average is printed with each figure, since the
development machine is shared.
"""
import os
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

from bench.reminders_sweep import SWEEP_DAY, TASKS, build

CADRES, URGES, QUEUE = 1_000, 5_000, "bench-reminders"
ROOT = Path(__file__).resolve().parent.parent


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


class CountingSink:
    """An SMTP server that only counts what it accepts, so the measuring process spends little on it."""

    def __init__(self, port: int):
        from aiosmtpd.controller import Controller
        self.count, self.lock = 0, threading.Lock()
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                with sink.lock:
                    sink.count += 1
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


def wait_sent(db, channel_email_total: int, limit: float = 600) -> tuple[int, float]:
    """Poll until every email delivery is sent; returns (sent, the moment it was seen)."""
    from sqlalchemy import func, select

    from tracker.models import Delivery
    deadline = time.monotonic() + limit
    while True:
        db.session.rollback()
        sent = db.session.scalar(select(func.count()).select_from(Delivery).where(
            Delivery.channel == "email", Delivery.status == "sent"))
        if sent >= channel_email_total or time.monotonic() > deadline:
            return sent, time.time()
        time.sleep(0.05)


def people(db, town, users):
    """The committee and a lead (by the service), and the cadres in bulk with the same password hash."""
    from sqlalchemy import insert

    from tracker.models import User
    office = users.create_user(username="office", org=town, role="committee", name="党政办", password="bench-pass-1",
                               email="office@example.org")
    users.create_user(username="lead", org=town, role="leader", name="分管领导", password="bench-pass-1",
                      email="lead@example.org")
    now = datetime.now(timezone.utc)
    db.session.execute(insert(User.__table__), [
        {"username": f"cadre{i}", "name": f"干部{i}", "org_id": town.id, "role": "cadre",
         "email": f"cadre{i}@example.org", "password_hash": office.password_hash, "is_active_account": True,
         "session_epoch": 0, "created_at": now} for i in range(CADRES)])
    db.session.commit()


def main():
    os.environ.setdefault("TRACKER_CONFIG", "test")
    tmp = Path(tempfile.mkdtemp(prefix="bench-delivery-"))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp / 'bench.db'}")
    sys.path.insert(0, str(ROOT))
    import logging
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    from flask_migrate import upgrade
    from sqlalchemy import MetaData, func, select

    from config import TestConfig
    from tracker import create_app, embedded_redis
    from tracker.extensions import bind_migrate, db
    from tracker.models import Delivery, Notification, ReminderSweep
    from tracker.models.types import utcnow
    from tracker.services.people import orgs, users
    from tracker.services.plans import verbs as plans
    from tracker.services.reminders import outbox

    redis_proc, redis_url = embedded_redis.start(tmp / "redis")
    port = embedded_redis.free_port()
    settings = TestConfig()
    settings.CELERY = {**settings.CELERY, "broker_url": redis_url}
    app = create_app(settings, INSTANCE_DIR=str(tmp / "instance"), MAIL_SERVER="127.0.0.1", MAIL_PORT=port,
                     REMINDER_QUEUE=QUEUE)
    bind_migrate(app)
    worker = None
    try:
        with app.app_context(), CountingSink(port) as sink:
            print(f"database: {db.engine.url.render_as_string(hide_password=True)}; {os.cpu_count()} cores; "
                  f"worker log: {tmp / 'worker.log'}")
            leftovers = MetaData()
            leftovers.reflect(bind=db.engine)
            leftovers.drop_all(bind=db.engine)
            upgrade(directory=str(ROOT / "migrations"), revision="heads")
            town = orgs.create_org("云乐镇")
            plans.create_plan(town, 2024, "云乐镇2024年计划", [("法", "法"), ("新", "新"), ("实", "实")])
            people(db, town, users)
            build(db, TASKS, 1, 2_000)
            if db.engine.dialect.name == "postgresql":
                db.session.execute(db.text("ANALYZE"))
                db.session.commit()
            env = {**os.environ, "REDIS_URL": redis_url, "REMINDER_QUEUE": QUEUE, "MAIL_SERVER": "127.0.0.1",
                   "MAIL_PORT": str(port), "INSTANCE_DIR": str(tmp / "worker")}
            log_path = tmp / "worker.log"
            worker = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "wsgi.celery_app", "worker", "--pool=prefork",
                 "--concurrency=2", "-Q", QUEUE, "--without-heartbeat", "--without-gossip", "--without-mingle",
                 "--loglevel=INFO"], cwd=ROOT, env=env, stdout=open(log_path, "w"), stderr=subprocess.STDOUT)
            deadline = time.monotonic() + 60
            while "ready." not in log_path.read_text() and time.monotonic() < deadline:
                time.sleep(0.2)
            time.sleep(1)
            celery = app.extensions["celery"]

            # (1) The worker runs the day's sweep (digests forced, as for a day given by hand), then sends them.
            print(f"before the sweep: {load()}")
            asked = time.time()
            celery.send_task("reminders.sweep", args=[SWEEP_DAY.isoformat()], queue=QUEUE)
            beat = None
            while beat is None and time.monotonic() < deadline + 600:
                db.session.rollback()
                beat = db.session.scalar(select(ReminderSweep).where(ReminderSweep.finished_at.is_not(None)))
                time.sleep(0.05)
            visible = time.time() - asked
            notices = db.session.scalar(select(func.count()).select_from(Notification))
            tasks = db.session.scalar(select(func.count()).select_from(db.text("plan_task")))
            swept = (beat.finished_at - beat.started_at).total_seconds()
            print(f"in-app: the worker's sweep wrote {notices:,} notices over {tasks:,} open tasks in {swept:.3f} s "
                  f"by its heartbeat ({notices / swept:,.0f} a second); {visible:.2f} s from queuing the sweep to "
                  f"seeing them committed ({notices / visible:,.0f} a second); {beat.counts}; {load()}")
            emails = db.session.scalar(select(func.count()).select_from(Delivery).where(Delivery.channel == "email"))
            sent, seen = wait_sent(db, emails)
            took = seen - beat.finished_at.timestamp()
            print(f"email digests: {sent:,} of {emails:,} sent in {took:.2f} s after the sweep committed: "
                  f"{sent / took:,.0f} a second; the SMTP server accepted {sink.count:,}; {load()}")

            # (2) 5,000 immediate emails, written in bulk as urges would write them, handed out at once.
            day, now = SWEEP_DAY, utcnow()
            stamp = now.replace(tzinfo=None) if db.engine.dialect.name == "sqlite" else now
            db.session.execute(db.text(
                "INSERT INTO notification (recipient_id, task_id, kind, key_date, source_id, for_date, note, "
                "created_at) SELECT owner_id, id, 'urge', :day, id, :day, '', :now FROM plan_task WHERE id <= :n"),
                {"day": day, "now": stamp, "n": URGES})
            db.session.execute(db.text(
                "INSERT INTO delivery (recipient_id, org_id, channel, kind, key_date, notification_ref, status, "
                "attempts, last_error, created_at) SELECT n.recipient_id, :org, 'email', 'urge', n.for_date, n.id, "
                "'pending', 0, '', n.created_at FROM notification n WHERE n.kind = 'urge'"), {"org": town.id})
            db.session.execute(db.text(
                "INSERT INTO delivery_item (delivery_id, notification_id) SELECT id, notification_ref FROM delivery "
                "WHERE kind = 'urge'"))
            db.session.commit()
            before = sink.count
            print(f"before the urges: {load()}")
            started = time.time()
            ids = outbox.claim_for_handout(utcnow())
            db.session.commit()
            outbox.enqueue(ids)
            sent, seen = wait_sent(db, emails + len(ids))
            took = seen - started
            print(f"immediate emails: {sent - emails:,} of {len(ids):,} sent in {took:.2f} s: "
                  f"{(sent - emails) / took:,.0f} a second; the SMTP server accepted {sink.count - before:,}; {load()}")
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)
        redis_proc.terminate()


if __name__ == "__main__":
    main()
