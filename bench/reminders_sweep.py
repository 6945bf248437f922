"""Benchmark (not a test): the reminder sweep over 100,000 open tasks with 2,000 due, and the send rate.

    .venv/bin/python -m bench.reminders_sweep                                   # a throw-away SQLite database
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_reminders .venv/bin/python -m bench.reminders_sweep
                                                                                # an EMPTY database of your own

Measures (1) the sweep's statement count at 10,000 and at 100,000 tasks (it must not change) and (2) the sweep's
time at 100,000 tasks, in this process. Tasks are inserted in bulk. How fast a real worker delivers, in the app
and by email, is bench/reminders_delivery.py.
"""
import os
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

TASKS, DUE, USERS = 100_000, 2_000, 50
SWEEP_DAY = date(2024, 10, 9)   # a Wednesday after National Day
ROOT = Path(__file__).resolve().parent.parent


def build(db, count: int, start_id: int, ids_due: int):
    """Insert `count` open tasks, `ids_due` of them due around SWEEP_DAY, the rest due next year."""
    from sqlalchemy import insert

    from tracker.models import PlanTask
    town_plan = db.session.execute(db.text("SELECT id, org_id FROM plan LIMIT 1")).one()
    theme_id = db.session.scalar(db.text("SELECT id FROM plan_theme LIMIT 1"))
    users = [r[0] for r in db.session.execute(db.text("SELECT id FROM user_account WHERE role = 'cadre' ORDER BY id"))]
    lead = db.session.scalar(db.text("SELECT id FROM user_account WHERE role = 'leader'"))
    now = datetime.now(timezone.utc)
    rows = []
    for i in range(start_id, start_id + count):
        k = i - start_id
        due = SWEEP_DAY + timedelta(days=(k % 30) - 20) if k < ids_due else date(2025, 6, 30)
        rows.append({"id": i, "plan_id": town_plan[0], "org_id": town_plan[1], "theme_id": theme_id,
                     "title": f"第{i}项任务:开展法治宣传和矛盾纠纷排查化解", "description": "", "report_section": 1 + i % 7,
                     "owner_id": users[i % len(users)], "lead_id": lead, "unit": "司法所", "status": "in_progress",
                     "progress": 10, "due_date": due, "created_at": now, "updated_at": now, "last_progress_at": now,
                     "assigned_at": now, "version": 1})
        if len(rows) == 5000:
            db.session.execute(insert(PlanTask.__table__), rows)
            rows = []
    if rows:
        db.session.execute(insert(PlanTask.__table__), rows)
    db.session.commit()


def counted_sweep(db, day, digest_due=True):
    """Today's sweep as the beat runs it (flush, commit), timed, with its statements counted."""
    from sqlalchemy import event

    from tracker.services.calendar import workdays
    from tracker.services.reminders.sweep import run_sweep
    from tracker.services.tasks.thresholds import forget_cached
    forget_cached()
    workdays.invalidate()
    n = {"statements": 0}

    def count(*_a, **_k):
        n["statements"] += 1
    event.listen(db.engine, "before_cursor_execute", count)
    started = time.perf_counter()
    beat = run_sweep(day, digest_due=digest_due)
    db.session.commit()
    elapsed = time.perf_counter() - started
    event.remove(db.engine, "before_cursor_execute", count)
    return n["statements"], elapsed, beat.counts


def main():
    os.environ.setdefault("TRACKER_CONFIG", "test")
    tmp = Path(tempfile.mkdtemp(prefix="bench-reminders-"))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp / 'bench.db'}")
    sys.path.insert(0, str(ROOT))
    from flask_migrate import upgrade
    from sqlalchemy import MetaData, func, select

    from config import TestConfig
    from tracker import create_app, embedded_redis
    from tracker.extensions import bind_migrate, db
    from tracker.models import Notification
    from tracker.services.people import orgs, users
    from tracker.services.plans import verbs as plans

    redis_proc, redis_url = embedded_redis.start(tmp / "redis")
    settings = TestConfig()
    settings.CELERY = {**settings.CELERY, "broker_url": redis_url}
    app = create_app(settings, INSTANCE_DIR=str(tmp / "instance"), REMINDER_QUEUE="bench-reminders")
    bind_migrate(app)
    try:
        with app.app_context():
            print(f"database: {db.engine.url.render_as_string(hide_password=True)}")
            leftovers = MetaData()
            leftovers.reflect(bind=db.engine)
            leftovers.drop_all(bind=db.engine)
            upgrade(directory=str(ROOT / "migrations"), revision="heads")
            town = orgs.create_org("云乐镇")
            plans.create_plan(town, 2024, "云乐镇2024年计划", [("法", "法"), ("新", "新"), ("实", "实")])
            users.create_user(username="office", org=town, role="committee", name="党政办", password="bench-pass-1")
            users.create_user(username="lead", org=town, role="leader", name="分管领导", password="bench-pass-1")
            for i in range(USERS):
                users.create_user(username=f"cadre{i}", org=town, role="cadre", name=f"干部{i}",
                                  password="bench-pass-1", email=f"cadre{i}@example.org")
            db.session.commit()

            build(db, TASKS // 10, 1, DUE)
            small, small_s, _ = counted_sweep(db, SWEEP_DAY - timedelta(days=1))
            build(db, TASKS - TASKS // 10, TASKS // 10 + 1, 0)
            if db.engine.dialect.name == "postgresql":
                db.session.execute(db.text("ANALYZE"))
                db.session.commit()
            total = db.session.scalar(select(func.count()).select_from(db.text("plan_task")))
            big, big_s, counts = counted_sweep(db, SWEEP_DAY)
            notices = db.session.scalar(select(func.count()).select_from(Notification).where(
                Notification.for_date == SWEEP_DAY))
            print(f"sweep statements: {small} at {TASKS // 10:,} tasks, {big} at {total:,} tasks")
            print(f"sweep at {total:,} open tasks ({DUE:,} due): {big_s:.3f} s, {notices:,} in-app notices "
                  f"({notices / big_s:,.0f}/s) and {counts.get('digests', 0)} digests; {counts}")
            again, again_s, again_counts = counted_sweep(db, SWEEP_DAY)
            print(f"the same sweep again: {again_s:.3f} s, {again} statements, new rows {again_counts}")
    finally:
        redis_proc.terminate()


if __name__ == "__main__":
    main()
