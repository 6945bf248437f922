"""Benchmark (not a test): where one page's time goes, in this process, without a web server.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_100k REDIS_URL=redis://127.0.0.1:6379/5 \\
        .venv/bin/python -m bench.page_time / --as cadre [--requests 30]
    … -m bench.page_time /dashboard --as bench          … -m bench.page_time "/api/v1/tasks?overdue=true" --as bench

The database holds a county made by `bench.generate` (password county-load-2024). `--as cadre` picks the cadre with the
median number of open tasks, as bench.http_load does. Requests go through Flask's test client (API paths with a
token); prints per request: wall time, the CPU time of this process (Python: routing, ORM, templates), the SQL
statements and the time spent waiting for them, and the slowest statements.
"""
import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def statement_log(engine) -> dict:
    """Count and time every statement on `engine` from now on: {statement: [count, seconds]}."""
    from sqlalchemy import event
    sql: dict = {}

    def before(conn, cursor, statement, params, context, executemany):
        context._bench_t0 = time.perf_counter()

    def after(conn, cursor, statement, params, context, executemany):
        entry = sql.setdefault(statement, [0, 0.0])
        entry[0] += 1
        entry[1] += time.perf_counter() - context._bench_t0
    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    return sql


def signed_in(app, who: str, password: str, api: bool = False):
    """A test client signed in as `who` (the session set directly), and the headers (an API token) for API paths."""
    from sqlalchemy import text

    from tracker.auth.sessions import SEEN_KEY
    from tracker.extensions import db
    with app.app_context():
        uid, epoch = db.session.execute(text("SELECT id, session_epoch FROM user_account WHERE username = :u"),
                                        {"u": who}).one()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = f"{uid}:{epoch}", True
        session[SEEN_KEY] = int(time.time())  # else the idle-session check (issue 18.7) signs it out
    headers = {}
    if api:
        answer = client.post("/api/v1/auth/token", json={"username": who, "password": password})
        headers = {"Authorization": f"Bearer {answer.get_json()['token']}"}
    return client, headers


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--as", dest="who", default="bench", help="a username, or `cadre` for a median cadre")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--password", default="county-load-2024")
    parser.add_argument("--top", type=int, default=5, help="how many of the slowest statements to print")
    parser.add_argument("--width", type=int, default=110, help="characters of each statement to print")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from bench.http_load import pick_targets
    from tracker import create_app
    from tracker.extensions import db
    who = pick_targets()["cadre"] if args.who == "cadre" else args.who
    app = create_app()
    with app.app_context():
        sql = statement_log(db.engine)
    client, headers = signed_in(app, who, args.password, api=args.path.startswith("/api/"))
    for _ in range(3):  # warm: templates compiled, caches and connections set up
        assert client.get(args.path, headers=headers).status_code == 200, args.path
    sql.clear()
    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(args.requests):
        client.get(args.path, headers=headers)
    n = args.requests
    wall, cpu = (time.perf_counter() - started) * 1000 / n, (time.process_time() - cpu) * 1000 / n
    waited = sum(t for _, t in sql.values()) * 1000 / n
    print(f"{args.path} as {who}: {wall:.1f} ms wall, {cpu:.1f} ms CPU in this process, "
          f"{sum(c for c, _ in sql.values()) / n:.0f} statements, {waited:.1f} ms waiting for SQL (per request, "
          f"{n} requests)")
    for statement, (count, spent) in sorted(sql.items(), key=lambda kv: -kv[1][1])[:args.top]:
        print(f"  {spent * 1000 / n:7.2f} ms  {' '.join(statement.split())[:args.width]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
