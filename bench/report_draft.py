"""Benchmark (not a test): a township with 1,000 tasks and 20,000 updates generates its report draft in < 1 s.

    .venv/bin/python -m bench.report_draft            # a throw-away SQLite database
    .venv/bin/python -m bench.report_draft --tasks 20000 --updates 400000   # a county: 20 townships' worth
    DATABASE_URL=postgresql://… .venv/bin/python -m bench.report_draft   # an EMPTY database of your own

The year's data is inserted in bulk (the services would take minutes to post 20,000 updates); the draft is
then generated through the real service, twice: the first run writes the draft, the second regenerates it.
"""
import os
import random
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

TASKS, UPDATES, YEAR = 1000, 20_000, 2024
FIGURES = [("普法宣讲", "次"), ("普法受众", "人"), ("合法性审查", "次"), ("调解案件", "件"), ("行政许可", "件"),
           ("政策咨询", "次"), ("培训", "场"), ("培训人次", "人次"), ("接待来访", "批"), ("法律援助", "件")]


def build(db, models) -> tuple:
    from tracker.services.people import orgs, users
    from tracker.services.plans import verbs as plans
    from tracker.services.reporting.baseline import save_baseline
    county = orgs.create_org("旌德县")
    town = orgs.create_org("云乐镇", county)
    office = users.create_user(username="office", org=town, role="committee", name="党政办", password="bench-pass-1")
    cadre = users.create_user(username="cadre", org=town, role="cadre", name="干部", password="bench-pass-1")
    plan = plans.create_plan(town, YEAR, "云乐镇2024年计划", [("法", "法"), ("新", "新"), ("实", "实")])
    save_baseline(office, town, YEAR - 1, [{"name": n, "unit": u, "value": 100} for n, u in FIGURES])
    db.session.flush()
    rng = random.Random(5)
    now = datetime(YEAR, 12, 31, tzinfo=timezone.utc)
    statuses = ["done"] * 7 + ["in_progress", "cancelled", "completion_requested"]
    task_rows = [{"id": i, "plan_id": plan.id, "org_id": town.id, "theme_id": plan.themes[i % 3].id,
                  "title": f"第{i}项任务:开展法治宣传和矛盾纠纷排查化解", "description": "", "report_section": 1 + i % 7,
                  "owner_id": cadre.id, "lead_id": office.id, "unit": "司法所", "status": rng.choice(statuses),
                  "progress": 100, "due_date": date(YEAR, 12, 31), "created_at": now, "updated_at": now,
                  "last_progress_at": now, "assigned_at": now, "version": 1} for i in range(1, TASKS + 1)]
    db.session.execute(models.PlanTask.__table__.insert(), task_rows)
    start = datetime(YEAR, 1, 1, tzinfo=timezone.utc)
    update_rows, metric_rows = [], []
    for u in range(1, UPDATES + 1):
        task_id = rng.randint(1, TASKS)
        update_rows.append({"id": u, "task_id": task_id, "author_id": cadre.id, "percent": 50, "previous_percent": 40,
                            "note": f"本期在{rng.choice('东西南北')}片开展工作,完成宣讲和排查,台账已上传。",
                            "created_at": start + timedelta(minutes=26 * u)})
        for name, unit in rng.sample(FIGURES, 2):
            metric_rows.append({"update_id": u, "name": name, "unit": unit, "value": Decimal(rng.randint(1, 30))})
    db.session.execute(models.ProgressUpdate.__table__.insert(), update_rows)
    db.session.execute(models.UpdateMetric.__table__.insert(), metric_rows)
    db.session.commit()
    return town, office


def main() -> None:
    import argparse
    global TASKS, UPDATES
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=TASKS, help="county size: --tasks 20000 --updates 400000")
    parser.add_argument("--updates", type=int, default=UPDATES)
    args = parser.parse_args()
    TASKS, UPDATES = args.tasks, args.updates
    tmp = tempfile.mkdtemp(prefix="bench-report-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp}/bench.db")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from flask_migrate import upgrade

    from config import TestConfig
    from tracker import create_app, models
    from tracker.extensions import bind_migrate, db
    from tracker.services.reporting.draft import generate
    app = create_app(TestConfig(), INSTANCE_DIR=f"{tmp}/instance", SECRET_KEY="bench")
    bind_migrate(app)
    with app.app_context():
        upgrade(directory=str(Path(__file__).resolve().parent.parent / "migrations"), revision="heads")
        town, office = build(db, models)
        times, cpu = [], []
        for _ in range(3):
            t0, c0 = time.perf_counter(), time.process_time()
            draft = generate(office, town, YEAR, date(YEAR + 1, 1, 20))
            db.session.commit()
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
            db.session.expire_all()
        words = sum(len(s.text) for s in draft.sections)
        print(f"{TASKS} tasks, {UPDATES} updates, {len(draft.figures)} figures, {words} characters of draft")
        # CPU time is what the draft costs; wall time also counts waiting for a busy machine's cores.
        print(f"wall: first generation {times[0]:.3f} s, regenerations {times[1]:.3f} s, {times[2]:.3f} s")
        print(f"cpu:  first generation {cpu[0]:.3f} s, regenerations {cpu[1]:.3f} s, {cpu[2]:.3f} s "
              f"({'under' if min(times) < 1 else 'OVER'} the 1 s budget on the best wall time)")
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
