"""Make a realistic county in bulk for benchmarks (not a test).

    python -m bench.generate --tasks 100000 [--due 2000] [--password county-load-2024] [--updates-per-task 10]
                             [--townships 20] [--departments 8]

Uses DATABASE_URL (already migrated: `flask --app wsgi db upgrade heads`). Creates a county with 20 townships and
8 departments (or as many as asked: a township has a few hundred tasks, so 100,000 tasks with a township's load
per cadre is some 280 units), 15 users each, one plan per organisation with the three themes, N tasks with owners,
leads and due dates, updates with figures per task, audit rows, today's overdue notices, and a county-level
committee login `bench` who sees it all (default --due: N / 10). `--due M` holds the sweep's work fixed whatever
N is: exactly M open tasks in each of today's reminder windows under the default rules (today a working day) —
overdue, due today, due soon (within DUE_SOON_WORKDAYS working days) — and M stalled (no progress for over
STALLED_DAYS days, due ≥ 60 days ahead); every task is 签收'd, and the rest are done or due ≥ 60 days ahead.
PostgreSQL rows go in with COPY, SQLite rows with executemany, so a million tasks take minutes.
"""
import argparse
import json
import sys
import time
from datetime import date, datetime, timedelta, timezone

TOWNSHIPS, DEPARTMENTS = 20, 8
THEMES = [("法", "以“法”字推进法治建设"), ("新", "以“新”字打造特色品牌"), ("实", "以“实”字坚持为民服务")]
FIGURES = [("普法宣讲", "次"), ("普法受众", "人"), ("矛盾纠纷排查", "次"), ("调解案件", "件"), ("合法性审查", "次")]
TITLES = ["开展法治宣传进村入户", "组织矛盾纠纷排查化解", "落实重大决策合法性审查", "推进村居法律顾问坐班",
          "开展网格员业务培训", "规范行政执法全过程记录", "推进“一站式”解纷中心建设", "开展反电诈专题宣传"]


class Writer:
    """Bulk rows into one table: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self, engine):
        self.engine = engine
        self.pg = engine.dialect.name == "postgresql"
        self.raw = engine.raw_connection()

    def _value(self, value):
        if self.pg:
            return json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) else value
        if isinstance(value, datetime):
            return value.astimezone(timezone.utc).replace(tzinfo=None).isoformat(" ")
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, (dict, list)):
            return json.dumps(value, ensure_ascii=False)
        return value

    def rows(self, table: str, columns: list[str], rows) -> int:
        count = 0
        cursor = self.raw.cursor()
        if self.pg:
            with cursor.copy(f'COPY "{table}" ({", ".join(columns)}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row([self._value(v) for v in row])
                    count += 1
        else:
            sql = f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({", ".join("?" * len(columns))})'
            batch = []
            for row in rows:
                batch.append([self._value(v) for v in row])
                if len(batch) == 10_000:
                    cursor.executemany(sql, batch)
                    count += len(batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
                count += len(batch)
        cursor.close()
        return count

    def next_id(self, table: str) -> int:
        cursor = self.raw.cursor()
        cursor.execute(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{table}"')
        value = cursor.fetchone()[0]
        cursor.close()
        return value

    def finish(self, tables: list[str]) -> None:
        cursor = self.raw.cursor()
        if self.pg:
            for table in tables:
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                               f'(SELECT COALESCE(MAX(id), 1) FROM "{table}"))')
            cursor.close()
            self.raw.commit()
            self.raw.driver_connection.autocommit = True  # VACUUM runs outside a transaction
            cursor = self.raw.cursor()
            # Every table, the small ones too: organisation (29 rows) is below autovacuum's threshold and,
            # never analysed, is estimated to match one row, which turns the county's plans into nested loops.
            # VACUUM sets the visibility map that index-only scans need, as autovacuum would have done on a
            # server that has been running (the test machine's PostgreSQL runs with autovacuum off).
            cursor.execute("VACUUM ANALYZE")
            self.raw.driver_connection.autocommit = False
        else:
            self.raw.commit()
        cursor.close()
        self.raw.close()


class Windows:
    """Due dates that put task i in one reminder window of `today`, M tasks each, or well outside them all."""

    FAR_DAYS = 60  # open tasks outside the windows are due at least this far ahead

    def __init__(self, today: date, rules):
        from tracker.services.tasks import deadlines
        self.today = today
        self.today_from = deadlines.overdue_before(today)  # due on or after it and by today: due today
        self.soon_until = deadlines.due_soon_until(today, rules.due_soon_workdays)
        self.far = max(today + timedelta(days=self.FAR_DAYS), self.soon_until + timedelta(days=1))
        self.stalled_days = rules.stalled_days

    def due_date(self, i: int, m: int) -> tuple[date, bool]:
        """Task i's due date, and whether it is to be stalled: overdue, due today, due soon, stalled, then the rest."""
        window, k = divmod(i, m) if m else (4, i)
        if window == 0:
            return self.today_from - timedelta(days=1 + k % 40), False
        if window == 1:  # on a Monday the weekend's due dates are due today too
            return self.today_from + timedelta(days=k % ((self.today - self.today_from).days + 1)), False
        if window == 2:
            return self.today + timedelta(days=1 + k % (self.soon_until - self.today).days), False
        if window == 3:
            return self.far + timedelta(days=k % 300), True
        offset = i % 545 - 180  # done in the past half year, or open and due over the next year
        return (self.today + timedelta(days=offset), False) if offset <= 0 else \
            (self.far + timedelta(days=offset), False)


def generate(tasks: int, due: int, password: str, updates_per_task: int, today: date,
             townships: int = TOWNSHIPS, departments: int = DEPARTMENTS) -> dict:
    """Insert the county; returns row counts."""
    from tracker.extensions import db
    from tracker.services.calendar.clock import local_midnight, to_local
    from tracker.services.people import orgs, users
    from tracker.services.people.passwords import hash_password
    from tracker.services.tasks import thresholds

    if 4 * due > tasks:
        raise SystemExit("--due 不能超过任务数的四分之一(逾期、今日到期、临期和停滞的任务各 M 项)")
    now = datetime.now(timezone.utc)
    if to_local(now).date() != today:  # a fixed day (tests, a catch-up): its noon, so activity ages line up
        now = local_midnight(today) + timedelta(hours=12)
    windows = Windows(today, thresholds.defaults())
    name = f"基准县{now:%m%d%H%M%S}"
    county = orgs.create_org(name)
    units = [orgs.create_org(f"第{i + 1}镇", county) for i in range(townships)]
    units += [orgs.create_org(f"县直部门{i + 1}", county) for i in range(departments)]
    if db.session.scalar(db.select(db.func.count()).where(db.text("username = 'bench'"))
                         .select_from(db.table("user_account"))):
        raise SystemExit("已存在用户 bench:请在空数据库上生成")
    users.create_user(username="bench", org=county, role="committee", name="基准测试", password=password)
    db.session.commit()

    w = Writer(db.engine)
    pw_hash = hash_password(password)
    suffix = now.strftime("%H%M%S")
    user_id = w.next_id("user_account")
    people = {}  # org id -> (committee, [leaders], [cadres])
    user_rows = []
    for org in units:
        ids = list(range(user_id, user_id + 15))
        user_id += 15
        people[org.id] = (ids[0], ids[1:3], ids[3:])
        for k, uid in enumerate(ids):
            role = "committee" if k == 0 else "leader" if k < 3 else "cadre"
            user_rows.append((uid, f"u{suffix}_{uid}", f"用户{uid}", org.id, role, pw_hash, True, 0, now))
    w.rows("user_account", ["id", "username", "name", "org_id", "role", "password_hash", "is_active_account",
                            "session_epoch", "created_at"], user_rows)

    plan_id, theme_id = w.next_id("plan"), w.next_id("plan_theme")
    plans, theme_rows = {}, []
    for i, org in enumerate(units):
        plans[org.id] = (plan_id + i, [theme_id + 3 * i + k for k in range(3)])
        theme_rows += [(theme_id + 3 * i + k, plan_id + i, key, title, k) for k, (key, title) in enumerate(THEMES)]
    w.rows("plan", ["id", "org_id", "year", "title", "created_at"],
           [(plans[o.id][0], o.id, today.year, f"{o.name}{today.year}年法治政府建设工作计划", now) for o in units])
    w.rows("plan_theme", ["id", "plan_id", "key", "title", "position"], theme_rows)

    first_task = w.next_id("plan_task")
    start = datetime(today.year, 1, 5, 2, tzinfo=timezone.utc)

    def task_facts(i):
        org = units[i % len(units)]
        committee, leaders, cadres = people[org.id]
        due_on, stalled = windows.due_date(i, due)
        if due_on <= today:
            status, last = "in_progress", now - timedelta(days=i % 10)
            if i >= 4 * due:             # the rest: done before today
                status, last = "done", datetime.combine(due_on, datetime.min.time(), timezone.utc)
        elif stalled:                    # nothing for over STALLED_DAYS days
            status, last = "in_progress", now - timedelta(days=windows.stalled_days + 1 + i % 60)
        else:
            status, last = "in_progress", now - timedelta(days=i % 25)
        # Task i goes to unit i % units, so the unit's own count (i // units) spreads its tasks over all of its
        # cadres and leaders (i % 12 would give each unit only the 3 cadres congruent to it mod 4).
        k = i // len(units)
        return org, committee, leaders[k % 2], cadres[k % len(cadres)], cadres[(k + 1) % len(cadres)], \
            due_on, status, last

    def task_rows():
        for i in range(tasks):
            org, committee, lead, owner, _, due_on, status, last = task_facts(i)
            plan, themes = plans[org.id]
            yield (first_task + i, plan, org.id, themes[i % 3], f"{TITLES[i % len(TITLES)]}(第{i + 1}项)",
                   "按年度计划推进,按月反馈进展并上传证明材料。", 1 + (i // len(units)) % 7, owner, lead, org.name,
                   start.date(), due_on, status, 100 if status == "done" else 20 + i % 70,
                   last, start, start + timedelta(hours=2), last if status == "done" else None, start, last, 1)
    counts = {"plan_task": w.rows("plan_task", [
        "id", "plan_id", "org_id", "theme_id", "title", "description", "report_section", "owner_id", "lead_id",
        "unit", "start_date", "due_date", "status", "progress", "last_progress_at", "assigned_at", "acknowledged_at",
        "closed_at", "created_at", "updated_at", "version"], task_rows())}
    counts["task_co_owner"] = w.rows("task_co_owner", ["task_id", "user_id"], (
        (first_task + i, task_facts(i)[4]) for i in range(0, tasks, 3)))

    first_update, first_metric = w.next_id("progress_update"), w.next_id("update_metric")

    def update_rows():
        for i in range(tasks):
            _, _, _, owner, _, _, _, last = task_facts(i)
            span = max((last - start).total_seconds(), 3600) / updates_per_task
            for k in range(updates_per_task):
                yield (first_update + i * updates_per_task + k, first_task + i, owner, 10 * (k + 1),
                       10 * k, f"第{k + 1}次进展:按计划推进。", start + timedelta(seconds=span * (k + 1)))
    counts["progress_update"] = w.rows("progress_update", [
        "id", "task_id", "author_id", "percent", "previous_percent", "note", "created_at"], update_rows())

    def metric_rows():
        for n in range(tasks * updates_per_task):
            name, unit = FIGURES[n % len(FIGURES)]
            yield first_metric + n, first_update + n, name, 1 + n % 5, unit
    counts["update_metric"] = w.rows("update_metric", ["id", "update_id", "name", "value", "unit"], metric_rows())

    first_audit = w.next_id("audit_entry")

    def audit_rows():
        n = first_audit
        for i in range(tasks):
            org, committee, _, owner, _, _, _, _ = task_facts(i)
            yield n, start, committee, org.id, first_task + i, "PlanTask", first_task + i, "task.create", \
                {"status": [None, "assigned"]}
            n += 1
            for k in range(updates_per_task):
                yield n, start, owner, org.id, first_task + i, "ProgressUpdate", \
                    first_update + i * updates_per_task + k, "task.progress", {"progress": [10 * k, 10 * (k + 1)]}
                n += 1
    counts["audit_entry"] = w.rows("audit_entry", [
        "id", "at", "actor_id", "org_id", "task_id", "object_type", "object_id", "action", "changes"], audit_rows())

    first_notice = w.next_id("notification")
    counts["notification"] = w.rows("notification", [
        "id", "recipient_id", "task_id", "kind", "key_date", "source_id", "for_date", "due_date", "note",
        "created_at"], ((first_notice + i, task_facts(i)[3], first_task + i, "overdue", today, 0, today,
                         task_facts(i)[5], "", now) for i in range(due)))
    w.finish(["user_account", "plan", "plan_theme", "plan_task", "progress_update", "update_metric",
              "audit_entry", "notification"])
    return counts


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, required=True)
    parser.add_argument("--due", type=int)
    parser.add_argument("--password", default="county-load-2024")
    parser.add_argument("--updates-per-task", type=int, default=10)
    parser.add_argument("--townships", type=int, default=TOWNSHIPS)
    parser.add_argument("--departments", type=int, default=DEPARTMENTS)
    args = parser.parse_args(argv)
    if args.tasks < 1 or (args.due is not None and args.due < 0) or args.updates_per_task < 0:
        parser.error("--tasks 须为正整数,--due 与 --updates-per-task 不能为负")
    if args.townships < 0 or args.departments < 0 or args.townships + args.departments < 1:
        parser.error("--townships 与 --departments 不能为负,且至少要有一个单位")
    from tracker import create_app
    from tracker.services.calendar.clock import today
    from tracker.services.calendar.workdays import is_workday
    app = create_app()
    with app.app_context():
        if not is_workday(today()):
            print(f"注意:{today()} 不是工作日,当天的巡检不发定时提醒(窗口按该日计算)")
        started = time.perf_counter()
        counts = generate(args.tasks, args.due if args.due is not None else args.tasks // 10,
                          args.password, args.updates_per_task, today(), args.townships, args.departments)
        elapsed = time.perf_counter() - started
    print(f"database: {app.config['SQLALCHEMY_DATABASE_URI'].split('@')[-1]}")
    for table, n in counts.items():
        print(f"  {table:<16} {n:>12,}")
    print(f"generated in {elapsed:.1f} s; login: bench / {args.password}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
