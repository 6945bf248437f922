"""Benchmark (not a test): plan import and ledger export at township and county size.

    .venv/bin/python -m bench.import_export            # a throw-away SQLite database
    DATABASE_URL=postgresql://… .venv/bin/python -m bench.import_export   # an EMPTY database of your own

Township: the seed report, a 30-row task table, a 30-task ledger with 600 updates.
County: a 600-row task table and a 600-task ledger with 12,000 updates (a county's departments together).
Updates are inserted in bulk; the import and the export run through the real services.
"""
import io
import os
import random
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT.parent / "shared" / "seed" / "000_43a8054b3d808e27.txt"
SIZES = {"township": (30, 600), "county": (600, 12_000)}


def _table(rows: int) -> bytes:
    from openpyxl import Workbook
    book = Workbook()
    ws = book.active
    ws.append(["序号", "工作任务(具体措施)", "牵头领导", "责任单位", "责任人", "完成时限", "报告板块"])
    themes = ["以“法”字推进法治建设", "以“新”字打造特色品牌", "以“实”字坚持为民服务"]
    per = rows // 3
    for t, theme in enumerate(themes):
        ws.append(["一二三"[t], theme])
        for i in range(per):
            ws.append([i + 1, f"第{t * per + i + 1}项:开展法治宣传和矛盾纠纷排查化解", "领导", "司法所", "干部",
                       ["2025-06-30", "6月底", "年底", "2025年9月30日"][i % 4], str(1 + i % 7)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _updates(db, models, plan, author, count: int) -> None:
    rng = random.Random(6)
    ids = list(db.session.scalars(db.select(models.PlanTask.id).where(models.PlanTask.plan_id == plan.id)))
    first = (db.session.scalar(db.select(db.func.max(models.ProgressUpdate.id))) or 0) + 1
    start = datetime(2025, 1, 1, tzinfo=timezone.utc)
    updates, metrics = [], []
    for n in range(first, first + count):
        updates.append({"id": n, "task_id": rng.choice(ids), "author_id": author.id, "percent": rng.randint(1, 100),
                        "previous_percent": 0, "note": "本期开展宣讲和排查,台账已上传。",
                        "created_at": start + timedelta(minutes=20 * n)})
        metrics.append({"update_id": n, "name": "普法宣讲", "unit": "次", "value": Decimal(rng.randint(1, 9))})
    db.session.execute(models.ProgressUpdate.__table__.insert(), updates)
    db.session.execute(models.UpdateMetric.__table__.insert(), metrics)
    db.session.commit()


def _timed(fn):
    t0 = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - t0


def main() -> None:
    tmp = tempfile.mkdtemp(prefix="bench-import-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp}/bench.db")
    sys.path.insert(0, str(ROOT))
    from flask_migrate import upgrade

    from config import TestConfig
    from tracker import create_app, models
    from tracker.extensions import bind_migrate, db
    from tracker.services.exporting.ledger import ledger_csv, ledger_workbook
    from tracker.services.importing import read_report
    from tracker.services.importing.create import create_from_candidates, create_from_rows
    from tracker.services.importing.table import read_table
    from tracker.services.people import orgs, users
    app = create_app(TestConfig(), INSTANCE_DIR=f"{tmp}/instance", SECRET_KEY="bench")
    bind_migrate(app)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"), revision="heads")
        town = orgs.create_org("云乐镇")
        office = users.create_user(username="office", org=town, role="committee", name="领导", password="bench-pass-1")
        cadre = users.create_user(username="cadre", org=town, role="cadre", name="干部", password="bench-pass-1")
        db.session.commit()

        parsed, parse_s = _timed(lambda: read_report(SEED.name, SEED.read_bytes(), 2024))
        themes = [{"key": t["key"], "title": t["title"]} for t in parsed["themes"]]
        candidates = [{**c, "id": i, "theme": t["key"], "keep": True}
                      for i, (t, c) in enumerate(((t, c) for t in parsed["themes"] for c in t["tasks"]), 1)]
        _, create_s = _timed(lambda: (create_from_candidates(office, town, 2024, themes, candidates), db.session.commit()))
        print(f"report: parse the seed {parse_s * 1000:.0f} ms, create {len(candidates)} tasks {create_s * 1000:.0f} ms")
        for year, (size, (tasks, updates)) in zip((2025, 2026), SIZES.items()):
            data = _table(tasks)
            table, read_s = _timed(lambda: read_table("t.xlsx", data))
            plan, create_s = _timed(lambda: create_from_rows(office, town, year, table["rows"]))
            db.session.commit()
            _updates(db, models, plan, cadre, updates)
            db.session.expire_all()
            plan = db.session.get(models.Plan, plan.id)
            book, xlsx_s = _timed(lambda: ledger_workbook(plan, date(year, 11, 25)))
            text, csv_s = _timed(lambda: ledger_csv(plan, date(year, 11, 25)))
            print(f"{size}: {tasks}-row table read {read_s * 1000:.0f} ms + checked and created {create_s * 1000:.0f} ms; "
                  f"ledger of {tasks} tasks / {updates} updates: xlsx {xlsx_s * 1000:.0f} ms ({len(book) // 1024} KB), "
                  f"csv {csv_s * 1000:.0f} ms")


if __name__ == "__main__":
    main()
