"""Benchmark (not a test): the same pages and the sweep on counties of growing size, and how much slower each is.

    REDIS_URL=redis://127.0.0.1:6379/5 .venv/bin/python -m bench.scale postgresql://postgres@127.0.0.1:5432/bench_10k \\
        postgresql://postgres@127.0.0.1:5432/bench_100k [postgresql://postgres@127.0.0.1:5432/bench_1m] [--rounds 15]

Each database was made today by `python -m bench.generate --tasks N --due M` with the same M, so the same number of
tasks is due and the sweep has the same work whatever N is. In this process, through Flask's test client (as
bench.page_time) with COUNTS_CACHE_SECONDS=0, so nothing is kept: 我的任务 as a cadre with the median number of
open tasks, the county task list /tasks as `bench` (first page, 20 rows), the dashboard, `GET
/api/v1/tasks?overdue=true` with bench's token, a task page with its history, and today's reminder sweep (what
earlier sweeps wrote is deleted first, so every run writes the day's notices). The databases take turns request
by request, so a change in the shared machine's load falls on all of them. Prints per row the median time (and of
it the time waiting for SQL), the statements per request and the ratio of each database to the one before (issue
19: ≤ 1.5× at 10× the tasks).
"""
import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = 1.5


class County:
    """One generated database: its app, signed-in clients, statement log and the pages to time."""

    def __init__(self, url: str, password: str, instance: Path):
        from bench.http_load import targets
        from bench.page_time import signed_in, statement_log
        from config import DevelopmentConfig, database_url
        from tracker import create_app
        from tracker.extensions import db
        self.name = url.rsplit("/", 1)[-1]
        self.app = create_app(DevelopmentConfig(), SQLALCHEMY_DATABASE_URI=database_url(url),
                              INSTANCE_DIR=str(instance), COUNTS_CACHE_SECONDS=0)
        with self.app.app_context():
            self.facts = targets(db)
            self.sql = statement_log(db.engine)
        cadre, _ = signed_in(self.app, self.facts["cadre"], password)
        bench, _ = signed_in(self.app, "bench", password)
        api, headers = signed_in(self.app, "bench", password, api=True)
        self.pages = {"mine": (cadre, "/", {}), "list": (bench, "/tasks", {}), "dashboard": (bench, "/dashboard", {}),
                      "api": (api, "/api/v1/tasks?overdue=true", headers),
                      "task": (bench, f"/tasks/{self.facts['task_id']}", {})}
        self.times: dict = {}
        self.statements: dict = {}
        self.waited: dict = {}  # ms waiting for SQL

    def statements_so_far(self) -> tuple[int, float]:
        return sum(count for count, _ in self.sql.values()), sum(spent for _, spent in self.sql.values())

    def run(self, row: str) -> None:
        """One timed request (or sweep), with its statements counted."""
        if row == "sweep":
            return self.sweep()
        client, path, headers = self.pages[row]
        (count, spent), started = self.statements_so_far(), time.perf_counter()
        answer = client.get(path, headers=headers)
        elapsed, (count_after, spent_after) = time.perf_counter() - started, self.statements_so_far()
        self._record(row, elapsed, count_after - count, spent_after - spent)
        if answer.status_code != 200:
            raise SystemExit(f"{self.name} {path}: HTTP {answer.status_code}")

    def sweep(self) -> None:
        from bench.reminders_sweep import counted_sweep
        from bench.sweep_scale import reset
        from tracker.extensions import db
        from tracker.services.calendar.clock import today
        with self.app.app_context():
            reset(db)
            spent = self.statements_so_far()[1]
            statements, seconds, wrote = counted_sweep(db, today(), digest_due=False)
            self.wrote = {k: v for k, v in wrote.items() if v}
            db.session.remove()
        self._record("sweep", seconds, statements, self.statements_so_far()[1] - spent)

    def _record(self, row: str, seconds: float, statements: int, waited: float) -> None:
        self.times.setdefault(row, []).append(seconds * 1000)
        self.statements.setdefault(row, []).append(statements)
        self.waited.setdefault(row, []).append(waited * 1000)

    def median(self, row: str) -> float:
        return statistics.median(self.times[row])


LABELS = {"mine": "我的任务 (median cadre)", "list": "county list /tasks (bench, 20 rows)",
          "dashboard": "dashboard (bench)", "api": "GET /api/v1/tasks?overdue=true",
          "task": "task page with history", "sweep": "reminder sweep (writes the day's notices)"}


def padded(label: str, width: int) -> str:
    """`label` padded to `width` columns of a terminal, where a Chinese character takes two."""
    return label + " " * max(0, width - sum(2 if ord(ch) > 0x2E80 else 1 for ch in label))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("databases", nargs="+", help="PostgreSQL URLs of generated counties, smallest first")
    parser.add_argument("--rounds", type=int, default=15, help="timed requests per page and database")
    parser.add_argument("--password", default="county-load-2024")
    args = parser.parse_args(argv)
    if len(args.databases) < 2 or args.rounds < 1:
        parser.error("至少需要两个数据库,--rounds 须为正整数")
    sys.path.insert(0, str(ROOT))
    tmp = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    load_before = os.getloadavg()
    counties = [County(url, args.password, tmp / f"instance-{i}") for i, url in enumerate(args.databases)]
    rows = ["mine", "list", "dashboard", "api", "task", "sweep"]
    for county in counties:  # warm: templates compiled, connections open, calendar tables built
        for row in rows:
            for _ in range(2):
                county.run(row)
            for kept in (county.times, county.statements, county.waited):
                kept[row].clear()
    for _ in range(args.rounds):
        for row in rows:
            for county in counties:
                county.run(row)
    load_after = os.getloadavg()

    print(f"load average before {' '.join(f'{x:.2f}' for x in load_before)}, after "
          f"{' '.join(f'{x:.2f}' for x in load_after)}; {os.cpu_count()} CPUs (a shared machine: upper bounds)")
    for c in counties:
        f = c.facts
        print(f"{c.name}: {f['tasks']:,} tasks; cadre {f['cadre']} owns {f['open_owned']:,} open; task page "
              f"#{f['task_id']} ({f['history']} history entries); the sweep wrote {c.wrote}")
    head = "".join(f"{c.name:>30}" for c in counties)
    ratios = "".join(f"{'÷ ' + counties[i - 1].name:>16}" for i in range(1, len(counties)))
    print(f"{'median of ' + str(args.rounds) + ': ms (of it SQL) / statements':<44}{head}{ratios}")
    worst = 0.0
    for row in rows:
        cells = "".join(f"{c.median(row):>12.1f} ms ({statistics.median(c.waited[row]):>5.1f}) "
                        f"{statistics.median(c.statements[row]):>3.0f} st" for c in counties)
        steps = []
        for i in range(1, len(counties)):
            ratio = counties[i].median(row) / counties[i - 1].median(row)
            worst = max(worst, ratio)
            steps.append(f"{ratio:>14.2f}×{'!' if ratio > TARGET else ' '}")
        print(f"{padded(LABELS[row], 44)}{cells}{''.join(steps)}")
    print(f"worst ratio {worst:.2f}× (target ≤ {TARGET}×; ! marks a row above it)")
    print(f"reproduce: REDIS_URL={os.environ.get('REDIS_URL', 'redis://127.0.0.1:6379/0')} .venv/bin/python -m "
          f"bench.scale {' '.join(args.databases)} --rounds {args.rounds}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
