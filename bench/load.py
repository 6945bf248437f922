"""Load test (not a test): 50 simulated people for 60 s against gunicorn on loopback, with locust headless.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/loadtest REDIS_URL=redis://127.0.0.1:6379/6 \\
        .venv/bin/python -m bench.load [--users 50] [--duration 60] [--password county-load-2024] [--workers 4]

The database holds a county made by `bench.generate` (every generated user shares its password). Picks, per
township, the committee, both leaders and the cadres with open tasks (each with their own open tasks, or the
tasks they lead), writes them to a JSON file for bench/locustfile.py, starts gunicorn (production settings,
gthread workers) on a free loopback port and runs locust headless: 5 committee members, 10 leaders and the
rest cadres, started 2 a second, each logging in through the form and for the API, then doing their flows (see the locustfile).
Prints requests, failures, req/s and p50/p95/p99 per request and overall; exits 1 on any failure.
"""
import argparse
import csv
import json
import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.http_load import free_port, wait_up

ROOT = Path(__file__).resolve().parent.parent


def pick_logins(password: str, per_role_tasks: int = 20) -> dict:
    """Committee, leaders and cadres of the generated townships, with task ids each may open or work on."""
    from sqlalchemy import text

    from tracker import create_app
    from tracker.extensions import db
    app = create_app()
    with app.app_context():
        def open_tasks(column: str, user_id: int) -> list[int]:
            return list(db.session.scalars(text(
                f"SELECT id FROM plan_task WHERE {column} = :u AND status IN ('assigned', 'in_progress') "
                "ORDER BY id LIMIT :n"), {"u": user_id, "n": per_role_tasks}))

        people = db.session.execute(text(
            "SELECT id, username, role, org_id FROM user_account WHERE username LIKE 'u%\\_%' ESCAPE '\\' "
            "AND is_active_account ORDER BY id")).all()
        if not people:
            raise SystemExit("数据库里没有 bench.generate 生成的用户:先运行 python -m bench.generate")
        plan = {"password": password, "committee": [], "leaders": [], "cadres": []}
        for user_id, username, role, org_id in people:
            if role == "cadre":
                tasks = open_tasks("owner_id", user_id)
                if tasks:
                    plan["cadres"].append({"username": username, "tasks": tasks})
            elif role == "leader":
                plan["leaders"].append({"username": username, "tasks": open_tasks("lead_id", user_id)})
            elif role == "committee":
                plan["committee"].append({"username": username, "tasks": list(db.session.scalars(text(
                    "SELECT id FROM plan_task WHERE org_id = :o ORDER BY id LIMIT :n"),
                    {"o": org_id, "n": per_role_tasks}))})
        plan["leaders"] = [p for p in plan["leaders"] if p["tasks"]]
        plan["tasks"] = db.session.scalar(text("SELECT count(*) FROM plan_task"))
        plan["database"] = db.engine.url.render_as_string(hide_password=True)
        db.engine.dispose()
    return plan


def start_gunicorn(port: int, workers: int, threads: int, log: Path) -> subprocess.Popen:
    env = {**os.environ, "TRACKER_CONFIG": "production", "SECRET_KEY": secrets.token_hex(32),
           "SESSION_COOKIE_SECURE": "0"}  # plain HTTP on loopback: a Secure cookie would never come back
    cmd = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--worker-class", "gthread",
           "--threads", str(threads), "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
           # A login (Argon2id) on a busy machine must not get its worker killed; keep-alive longer than the
           # users' pauses, as nginx in front would, or a request races the server closing its idle connection.
           "--timeout", "120", "--keep-alive", "30", "wsgi:app"]
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=open(log, "w"), stderr=subprocess.STDOUT)


def report(stats_csv: Path) -> tuple[dict, list[dict]]:
    """The aggregated row and the per-request rows of locust's CSV statistics."""
    rows = list(csv.DictReader(open(stats_csv, encoding="utf-8")))
    total = next(r for r in rows if r["Name"] == "Aggregated")
    return total, [r for r in rows if r["Name"] != "Aggregated"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=int, default=60, help="seconds")
    parser.add_argument("--spawn-rate", type=float, default=2, help="users started per second (logins are Argon2id)")
    parser.add_argument("--password", default="county-load-2024")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args(argv)
    plan = pick_logins(args.password)
    work = Path(tempfile.mkdtemp(prefix="load-"))
    (work / "plan.json").write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_gunicorn(port, args.workers, args.threads, work / "gunicorn.log")
    try:
        wait_up(base + "/login", server)
        print(f"database: {plan['database']} ({plan['tasks']:,} tasks); gunicorn {args.workers} workers × "
              f"{args.threads} threads on {base}; {len(plan['committee'])} committee, {len(plan['leaders'])} "
              f"leader and {len(plan['cadres'])} cadre logins available", flush=True)
        cmd = [sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
               "--users", str(args.users), "--spawn-rate", str(args.spawn_rate), "--run-time", f"{args.duration}s",
               "--host", base, "--csv", str(work / "load"), "--only-summary", "--stop-timeout", "10",
               "--loglevel", "WARNING"]
        done = subprocess.run(cmd, cwd=ROOT, env={**os.environ, "LOAD_PLAN": str(work / "plan.json")},
                              capture_output=True, text=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
    if not (work / "load_stats.csv").exists():
        print(done.stdout[-3000:], done.stderr[-3000:])
        return 2
    total, rows = report(work / "load_stats.csv")
    print(f"{'request':<34}{'count':>8}{'fail':>6}{'p50':>7}{'p95':>7}{'p99':>7}  (ms)")
    for r in sorted(rows, key=lambda r: -int(r["Request Count"])):
        print(f"{r['Type'] + ' ' + r['Name']:<34}{r['Request Count']:>8}{r['Failure Count']:>6}{r['50%']:>7}"
              f"{r['95%']:>7}{r['99%']:>7}")
    failures = int(total["Failure Count"])
    print(f"{args.users} users, {args.duration} s: {int(total['Request Count']):,} requests, {failures} failures, "
          f"{float(total['Requests/s']):.1f} req/s, p50 {total['50%']} ms, p95 {total['95%']} ms, "
          f"p99 {total['99%']} ms")
    if failures:
        print((work / "load_failures.csv").read_text(encoding="utf-8")[:3000])
        if (work / "load_exceptions.csv").exists():
            print((work / "load_exceptions.csv").read_text(encoding="utf-8")[:3000])
        print("gunicorn log:", (work / "gunicorn.log").read_text()[-3000:])
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
