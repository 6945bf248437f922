"""Benchmark (not a test): throughput and latency of five pages under gunicorn, against a bare Flask endpoint.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_100k REDIS_URL=redis://127.0.0.1:6379/5 \\
        .venv/bin/python -m bench.http_load [--duration 15] [--connections 8] [--password county-load-2024]

The database holds a county made by `bench.generate` (the login `bench` and every generated user share its
password). Two gunicorn servers with the same configuration (2 sync workers) are started side by side: the real
app (`wsgi:app`) and `bench.bare:app`. wrk then loads, one after the other: the bare endpoint, 我的任务 as a
cadre with a median number of open tasks, the county dashboard as `bench`, `GET /api/v1/tasks?overdue=true`
with `bench`'s API token, a task's detail page with its history, a small page (the cadre's notice settings: what
any signed-in page costs besides its own work), and the bare endpoint again (the machine is shared, so the
yardstick is measured before and after). Pages kept in Redis (tracker/services/tasks/counting.py) are measured warm;
`COUNTS_CACHE_SECONDS=0` in the environment measures them worked out on every request. Prints req/s, p50, p99,
the ratio to the bare endpoint (the mean of its two runs) and the peak RSS (VmHWM) of each web worker.

`--mixed` runs, between the two bare runs, a county being written to: each wrk connection sends 我的任务 as the
median cadre nine times in ten and, every tenth request, a progress post (`POST /api/v1/tasks/{id}/progress`, a
note and the task's percent as it stands) to one of that cadre's open tasks in turn, so kept pages are kept only
until the next post. `--only mixed` skips the other pages.
"""
import argparse
import json
import os
import re
import shlex
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
WRK = "/usr/bin/wrk"
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pick_targets() -> dict:
    """A cadre with the median number of open tasks, and a task in the middle of the table (it has history)."""
    from tracker import create_app
    from tracker.extensions import db
    app = create_app()
    with app.app_context():
        found = targets(db)
        db.engine.dispose()
    return found


def targets(db) -> dict:
    """pick_targets in the current app context (bench.scale has one per database)."""
    from sqlalchemy import text
    if not db.session.scalar(text("SELECT count(*) FROM user_account WHERE username = 'bench'")):
        raise SystemExit("数据库里没有用户 bench:先运行 python -m bench.generate")
    cadres = db.session.execute(text(
        "SELECT u.username, count(t.id) AS n FROM user_account u JOIN plan_task t ON t.owner_id = u.id "
        "WHERE u.role = 'cadre' AND t.status NOT IN ('done', 'cancelled', 'draft') "
        "GROUP BY u.username ORDER BY n, u.username")).all()
    cadre, open_owned = cadres[len(cadres) // 2]
    low, high = db.session.execute(text("SELECT min(id), max(id) FROM plan_task")).one()
    task_id = db.session.scalar(text("SELECT min(id) FROM plan_task WHERE id >= :m"), {"m": (low + high) // 2})
    history = db.session.scalar(text("SELECT count(*) FROM audit_entry WHERE task_id = :t"), {"t": task_id})
    tasks = db.session.scalar(text("SELECT count(*) FROM plan_task"))
    owned = db.session.execute(text(
        "SELECT t.id, t.progress FROM plan_task t JOIN user_account u ON u.id = t.owner_id WHERE u.username = :u "
        "AND t.status NOT IN ('done', 'cancelled', 'draft') ORDER BY t.id"), {"u": cadre}).all()
    url = db.engine.url.render_as_string(hide_password=True)
    return {"cadre": cadre, "open_owned": open_owned, "task_id": task_id, "history": history, "tasks": tasks,
            "database": url, "owned": [tuple(row) for row in owned]}


def start_gunicorn(app_path: str, port: int, workers: int, log: Path) -> subprocess.Popen:
    """One gunicorn, the same configuration for the real app and the bare one."""
    cmd = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--worker-class", "sync",
           "--bind", f"127.0.0.1:{port}", "--log-level", "warning", app_path]
    return subprocess.Popen(cmd, cwd=ROOT, stdout=open(log, "w"), stderr=subprocess.STDOUT)


def wait_up(url: str, proc: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited ({proc.returncode}) before answering {url}")
        try:
            requests.get(url, timeout=2, allow_redirects=False)
            return
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.2)
    raise SystemExit(f"no answer from {url} within {seconds:.0f} s")


def login(base: str, username: str, password: str) -> str:
    """Log in through the real form (CSRF token included); returns the Cookie header."""
    s = requests.Session()
    page = s.get(f"{base}/login", timeout=30)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text) or \
        re.search(r'value="([^"]+)"[^>]*name="csrf_token"', page.text)
    if token is None:
        raise SystemExit("登录页上没有 csrf_token")
    answer = s.post(f"{base}/login", data={"csrf_token": token.group(1), "username": username,
                                           "password": password}, allow_redirects=False, timeout=60)
    if answer.status_code != 302:
        raise SystemExit(f"{username} 登录失败(HTTP {answer.status_code})")
    return "; ".join(f"{c.name}={c.value}" for c in s.cookies)


def api_token(base: str, username: str, password: str) -> str:
    answer = requests.post(f"{base}/api/v1/auth/token", json={"username": username, "password": password},
                           timeout=60)
    answer.raise_for_status()
    return answer.json()["token"]


def check(url: str, header: tuple[str, str] | None) -> int:
    """The page answers 200 with the given credentials (not a redirect to the login page); returns its size."""
    headers = dict([header]) if header else {}
    for _ in range(5):  # warm both workers: templates compiled, connections open
        answer = requests.get(url, headers=headers, allow_redirects=False, timeout=60)
    if answer.status_code != 200:
        raise SystemExit(f"{url} answered HTTP {answer.status_code}")
    return len(answer.content)


def latency_ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * UNITS[unit]


def mixed_script(path: Path, cookie: str, token: str, owned: list[tuple[int, int]]) -> Path:
    """A wrk Lua script: 我的任务 with the cadre's cookie, and every tenth request a progress post with its token."""
    posts = [(f"/api/v1/tasks/{task_id}/progress", json.dumps({"percent": percent, "note": "压测进展情况"},
                                                               ensure_ascii=False)) for task_id, percent in owned]
    lua = ["local posts = {" + ", ".join("{%s, %s}" % (json.dumps(u), json.dumps(b, ensure_ascii=False))
                                         for u, b in posts) + "}",
           f"local page_headers = {{[\"Cookie\"] = {json.dumps(cookie)}}}",
           f"local post_headers = {{[\"Authorization\"] = {json.dumps('Bearer ' + token)}, "
           "[\"Content-Type\"] = \"application/json\"}",
           "local n = 0",
           "request = function()",
           "  n = n + 1",
           "  if n % 10 == 0 then",
           "    local post = posts[math.floor(n / 10) % #posts + 1]",
           "    return wrk.format(\"POST\", post[1], post_headers, post[2])",
           "  end",
           "  return wrk.format(\"GET\", \"/\", page_headers)",
           "end"]
    path.write_text("\n".join(lua) + "\n", encoding="utf-8")
    return path


def wrk(url: str, header: tuple[str, str] | None, duration: int, connections: int, threads: int,
        script: Path | None = None) -> dict:
    cmd = [WRK, f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "10s"]
    if header:
        cmd += ["-H", f"{header[0]}: {header[1]}"]
    if script:
        cmd += ["-s", str(script)]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, check=True).stdout
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
              "p50": latency_ms(re.search(r"\s50%\s+(\S+)", out).group(1)),
              "p99": latency_ms(re.search(r"\s99%\s+(\S+)", out).group(1)),
              "requests": int(re.search(r"(\d+) requests in", out).group(1))}
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    result["bad"] = int(bad.group(1)) if bad else 0
    result["socket_errors"] = errors.group(1) if errors else ""
    return result


def workers_of(master: int) -> list[int]:
    path = Path(f"/proc/{master}/task/{master}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def peak_rss_mb(pid: int) -> tuple[float, float]:
    """(VmHWM, VmRSS) in MiB from /proc."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmHWM"].split()[0]) / 1024, int(fields["VmRSS"].split()[0]) / 1024


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=15, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (both servers)")
    parser.add_argument("--password", default="county-load-2024")
    parser.add_argument("--mixed", action="store_true", help="also 90 %% 我的任务 + 10 %% progress posts")
    parser.add_argument("--only", choices=("mixed",), help="only the bare endpoint and the mixed load")
    args = parser.parse_args(argv)
    args.mixed = args.mixed or args.only == "mixed"
    os.environ.setdefault("SECRET_KEY", "bench-http-" + os.urandom(8).hex())  # one key for both workers
    sys.path.insert(0, str(ROOT))
    facts = pick_targets()
    logs = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-http-{os.getpid()}"
    logs.mkdir(parents=True, exist_ok=True)
    app_port, bare_port = free_port(), free_port()
    app_proc = start_gunicorn("wsgi:app", app_port, args.workers, logs / "app.log")
    bare_proc = start_gunicorn("bench.bare:app", bare_port, args.workers, logs / "bare.log")
    base, bare = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{bare_port}/bare"
    try:
        wait_up(f"{base}/login", app_proc)
        wait_up(bare, bare_proc)
        bench_cookie = ("Cookie", login(base, "bench", args.password))
        cadre_cookie = ("Cookie", login(base, facts["cadre"], args.password))
        token = ("Authorization", f"Bearer {api_token(base, 'bench', args.password)}")
        targets = [
            ("bare Flask endpoint", bare, None),
            (f"我的任务 (cadre {facts['cadre']}, {facts['open_owned']} open tasks owned)", f"{base}/", cadre_cookie),
            ("county dashboard (bench)", f"{base}/dashboard", bench_cookie),
            ("GET /api/v1/tasks?overdue=true", f"{base}/api/v1/tasks?overdue=true", token),
            (f"task detail with history (#{facts['task_id']}, {facts['history']} entries)",
             f"{base}/tasks/{facts['task_id']}", bench_cookie),
            ("a small page not kept in Redis (通知设置, the same cadre)", f"{base}/notices/settings", cadre_cookie),
            ("bare Flask endpoint, again", bare, None),
        ]
        if args.only == "mixed":
            targets = [targets[0], targets[-1]]
        scripts = {}
        if args.mixed:
            if not facts["owned"]:
                raise SystemExit(f"{facts['cadre']} 没有未办结的任务可反馈进展")
            cadre_token = api_token(base, facts["cadre"], args.password)
            label = f"90 % 我的任务 + 10 % progress posts ({facts['cadre']})"
            targets.insert(-1, (label, f"{base}/", cadre_cookie))
            scripts[label] = mixed_script(logs / "mixed.lua", cadre_cookie[1], cadre_token, facts["owned"])
        sizes = {url: check(url, header) for _, url, header in targets}
        load_before = os.getloadavg()
        results = []
        for label, url, header in targets:
            results.append((label, url, wrk(url, header, args.duration, args.connections, args.threads,
                                            scripts.get(label))))
        load_after = os.getloadavg()
        memory = {"app": [peak_rss_mb(p) for p in workers_of(app_proc.pid)],
                  "bare": [peak_rss_mb(p) for p in workers_of(bare_proc.pid)]}
    finally:
        for proc in (app_proc, bare_proc):
            proc.terminate()
            proc.wait(timeout=30)
    yardstick = (results[0][2]["rps"] + results[-1][2]["rps"]) / 2
    print(f"database: {facts['database']} ({facts['tasks']:,} tasks)")
    print(f"gunicorn: {args.workers} sync workers each for wsgi:app and bench.bare:app; "
          f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s --latency")
    print(f"load average before {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}, "
          f"after {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}; {os.cpu_count()} CPUs")
    print(f"{'':<62} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'÷ bare':>7} {'bytes':>7}")
    for label, url, r in results:
        flag = f"  ({r['bad']} non-2xx!)" if r["bad"] else ""
        flag += f"  (socket errors: {r['socket_errors']})" if r["socket_errors"] else ""
        print(f"{label:<62} {r['rps']:>8.1f} {r['p50']:>8.2f} {r['p99']:>8.2f} "
              f"{r['rps'] / yardstick:>6.1%} {sizes[url]:>7}{flag}")
    for name, rows in memory.items():
        print(f"peak RSS (VmHWM) of the {name} workers: " +
              ", ".join(f"{hwm:.0f} MiB (now {rss:.0f})" for hwm, rss in rows))
    env = " ".join(f"{k}={shlex.quote(os.environ[k])}" for k in ("DATABASE_URL", "REDIS_URL") if k in os.environ)
    print(f"reproduce: {env} .venv/bin/python -m bench.http_load --duration {args.duration} "
          f"--connections {args.connections} --threads {args.threads} --workers {args.workers}"
          f"{' --only mixed' if args.only else ' --mixed' if args.mixed else ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
