"""Benchmark (not a test): the reminder sweep on generated counties of growing size, and a Celery worker's memory.

    .venv/bin/python -m bench.sweep_scale postgresql://postgres@127.0.0.1:5432/bench_10k \\
        postgresql://postgres@127.0.0.1:5432/bench_100k postgresql://postgres@127.0.0.1:5432/bench_1m [--worker]

Each database was made by `python -m bench.generate --tasks N --due 2000` on the day of the run, so whatever N is
2,000 open tasks are in each of today's reminder windows (overdue, due today, due soon), 2,000 are stalled, all are
签收'd, and the sweep writes the same number of notices of each kind at every size (a scale ratio measures the code,
not the data). For each database: the task counts (due = overdue and due today), then today's sweep timed inside
this process with its SQL statements counted, run twice (the second finds everything written and adds nothing;
on a freshly generated database, or with --reset, the first writes the day's notices). With --worker, a real
Celery worker (prefork ×2) also runs the sweep of each database from its queue (for the next day, so it has that
day's notices to write), and the peak RSS (VmHWM) of its processes is printed. REDIS_URL is the broker (default
redis://127.0.0.1:6379/0).
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from bench.reminders_sweep import counted_sweep

ROOT = Path(__file__).resolve().parent.parent
QUEUE = "bench-sweep"


def facts(db, day, now) -> dict:
    from sqlalchemy import text
    closed = "('done', 'cancelled', 'carried_over', 'draft')"
    return db.session.execute(text(
        f"SELECT count(*) AS tasks, "
        f"count(*) FILTER (WHERE status NOT IN {closed} AND due_date <= :day) AS due, "
        f"count(*) FILTER (WHERE status NOT IN {closed} AND due_date > :day AND last_progress_at < :cut) AS stalled "
        f"FROM plan_task"), {"day": day, "cut": now - timedelta(days=30)}).one()._asdict()


def reset(db) -> None:
    """Forget earlier sweeps: their notices (bench.generate's own are as old as its users), deliveries, heartbeats."""
    from sqlalchemy import text
    db.session.execute(text("DELETE FROM delivery"))
    db.session.execute(text("DELETE FROM notification WHERE created_at > (SELECT max(created_at) FROM user_account)"))
    db.session.execute(text("DELETE FROM reminder_sweep"))
    db.session.commit()


def vm(pid: int) -> dict:
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return {k: int(fields[k].split()[0]) / 1024 for k in ("VmHWM", "VmRSS")}


def worker_sweep(url: str, day, log: Path) -> dict:
    """A real worker runs reminders.sweep for the day; returns seconds until its heartbeat and peak RSS per process."""
    from sqlalchemy import create_engine, text

    from config import database_url
    env = {**os.environ, "DATABASE_URL": url, "REMINDER_QUEUE": QUEUE, "INSTANCE_DIR": str(log.parent / "worker")}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "wsgi.celery_app", "worker", "--pool=prefork", "--concurrency=2",
         "-Q", QUEUE, "--without-heartbeat", "--without-gossip", "--without-mingle", "--loglevel=WARNING"],
        cwd=ROOT, env=env, stdout=open(log, "w"), stderr=subprocess.STDOUT)
    engine = create_engine(database_url(url))
    try:
        time.sleep(6)
        with engine.connect() as conn:
            before = conn.execute(text("SELECT coalesce(max(id), 0) FROM reminder_sweep")).scalar()
        from celery import Celery
        broker = Celery(broker=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
        started = time.perf_counter()
        broker.send_task("reminders.sweep", args=[day.isoformat()], queue=QUEUE)
        finished = None
        while time.perf_counter() - started < 600:
            with engine.connect() as conn:
                finished = conn.execute(text("SELECT finished_at FROM reminder_sweep WHERE id > :b AND finished_at "
                                             "IS NOT NULL"), {"b": before}).first()
            if finished:
                break
            time.sleep(0.2)
        elapsed = time.perf_counter() - started
        time.sleep(3)  # the hand-out and any send jobs it queued
        children = Path(f"/proc/{worker.pid}/task/{worker.pid}/children").read_text().split()
        return {"seconds": elapsed if finished else None, "main": vm(worker.pid),
                "children": [vm(int(p)) for p in children]}
    finally:
        worker.terminate()
        worker.wait(timeout=60)
        engine.dispose()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("databases", nargs="+", help="PostgreSQL URLs of generated counties")
    parser.add_argument("--worker", action="store_true", help="also run the sweep in a real Celery worker")
    parser.add_argument("--reset", action="store_true", help="first delete what earlier sweeps wrote")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from config import DevelopmentConfig, database_url
    from tracker import create_app
    from tracker.extensions import db
    from tracker.models.types import utcnow
    from tracker.services.calendar.clock import today

    tmp = Path(tempfile.mkdtemp(prefix="bench-sweep-"))
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; {os.cpu_count()} CPUs")
    for url in args.databases:
        app = create_app(DevelopmentConfig(), SQLALCHEMY_DATABASE_URI=database_url(url),
                         INSTANCE_DIR=str(tmp / "instance"))
        with app.app_context():
            day = today()
            if args.reset:
                reset(db)
            f = facts(db, day, utcnow())
            first, first_s, wrote = counted_sweep(db, day, digest_due=False)
            again, again_s, wrote_again = counted_sweep(db, day, digest_due=False)
            wrote, wrote_again = ({k: v for k, v in c.items() if v} for c in (wrote, wrote_again))
            db.session.remove()
            db.engine.dispose()
        print(f"{url.rsplit('/', 1)[-1]}: {f['tasks']:,} tasks, {f['due']:,} open due today or overdue, "
              f"{f['stalled']:,} stalled; sweep for {day}: {first_s:.3f} s, {first} statements, wrote {wrote}; "
              f"again: {again_s:.3f} s, {again} statements, wrote {wrote_again or 'nothing'}; "
              f"load {os.getloadavg()[0]:.2f}")
        if args.worker:
            # The next day, so the worker writes that day's notices rather than finding them all written.
            w = worker_sweep(url, day + timedelta(days=1), tmp / f"worker-{url.rsplit('/', 1)[-1]}.log")
            kids = ", ".join(f"{c['VmHWM']:.0f} MiB" for c in w["children"])
            took = f"{w['seconds']:.2f} s" if w["seconds"] is not None else "no heartbeat within 600 s"
            print(f"  Celery worker (prefork ×2) ran the next day's sweep in {took} from send to heartbeat; peak RSS "
                  f"(VmHWM): main {w['main']['VmHWM']:.0f} MiB, pool processes {kids}")
    print(f"reproduce: REDIS_URL={os.environ.get('REDIS_URL', 'redis://127.0.0.1:6379/0')} .venv/bin/python -m "
          f"bench.sweep_scale {' '.join(args.databases)}{' --worker' if args.worker else ''}"
          f"{' --reset' if args.reset else ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
