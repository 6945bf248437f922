"""Benchmark (not a test): the documented deployment, two web nodes and two workers, on one machine (issue 19.5–6).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_cluster REDIS_URL=redis://127.0.0.1:6379/8 \\
        .venv/bin/python -m bench.cluster [--users 12] [--duration 30] [--password county-load-2024]

The database holds a small county from `bench.generate --tasks 2000 --due 100`. Starts what deploy/ describes,
on loopback, on that one PostgreSQL and Redis: two gunicorns (deploy/gunicorn.conf.py, gthread), two Celery
workers (each also on a queue of its own) and, after the sweep check, one beat; nginx with
deploy/nginx/tracker-server.conf in front of both when nginx is installed; an SMTP server and a robot
endpoint that count what reaches them. Then:
(1) today's sweep is sent to both workers at once, twice each, and every delivery's send job to both again:
    0 rows sharing a unique key, and every message reaches the SMTP server or the robot exactly once;
(2) the locust flows (bench/locustfile.py) run headless against both nodes at once, half the people each: 0 failures;
(3) a progress post through one node is seen on the very next read of 我的任务 and of the API list through the
    other, in both directions, while both pages are kept in Redis;
(4) slow and idle clients: `GET /login` from a normal client while sockets that send nothing (or half a request
    header) are held open, against a node as deployed (gthread), against nginx, and against 2 sync workers.
Exits 1 when a check fails.
"""
import argparse
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import cluster_checks as checks
from bench import slow_clients
from bench.cluster_sinks import MailSink, RobotSink
from bench.http_load import free_port, wait_up
from bench.load import pick_logins, report

ROOT = Path(__file__).resolve().parent.parent
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def load() -> str:
    return "load " + " ".join(f"{x:.2f}" for x in os.getloadavg())


class Processes:
    """Every process the benchmark starts, each in a session of its own, stopped by its own id at the end."""

    def __init__(self, work: Path, env: dict):
        self.work, self.env, self.procs = work, env, {}

    def start(self, name: str, cmd: list[str], **env) -> subprocess.Popen:
        log = open(self.work / f"{name}.log", "w")
        proc = subprocess.Popen(cmd, cwd=ROOT, env={**self.env, **env}, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
        self.procs[name] = proc
        return proc

    def log(self, name: str) -> str:
        return (self.work / f"{name}.log").read_text(errors="replace")

    def wait_log(self, name: str, marker: str, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while marker not in self.log(name):
            if time.monotonic() > deadline or self.procs[name].poll() is not None:
                raise SystemExit(f"{name} did not start:\n{self.log(name)[-2000:]}")
            time.sleep(0.2)

    def stop(self, name: str) -> None:
        proc = self.procs.pop(name)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()

    def stop_all(self) -> None:
        for name in reversed(list(self.procs)):
            self.stop(name)


def peak_rss_mib(pid: int) -> list[int]:
    """VmHWM of a gunicorn master's workers, in MiB."""
    peaks = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                status = (stat.parent / "status").read_text()
                peaks.append(int(next(ln for ln in status.splitlines() if ln.startswith("VmHWM")).split()[1]) // 1024)
        except (OSError, StopIteration, IndexError, ValueError):
            continue
    return sorted(peaks)


def nginx_conf(work: Path, port: int, upstreams: list[int]) -> Path:
    """A loopback nginx whose server block is the deployed one (deploy/nginx/tracker-server.conf)."""
    temp = work / "nginx"
    temp.mkdir(mode=0o777, exist_ok=True)
    work.chmod(0o755)  # nginx's worker processes run as nobody when started by root
    servers = "".join(f"        server 127.0.0.1:{p};\n" for p in upstreams)
    conf = work / "nginx.conf"
    conf.write_text(f"""daemon off;
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    upstream tracker {{
{servers}        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{port};
        include {ROOT}/deploy/nginx/tracker-server.conf;
    }}
}}
""")
    return conf


def split_plan(plan: dict) -> list[dict]:
    """The logins in two halves, one per node, so the two locust runs never share a person."""
    halves = [{k: v for k, v in plan.items() if k not in ("committee", "leaders", "cadres")} for _ in range(2)]
    for role in ("committee", "leaders", "cadres"):
        for i, half in enumerate(halves):
            half[role] = plan[role][i::2]
    return halves


def run_locust(work: Path, plans: list[dict], bases: list[str], users: int, duration: int) -> list[dict]:
    """Locust headless against each node at once; the aggregated row of each run."""
    runs = []
    for i, (plan, base) in enumerate(zip(plans, bases)):
        (work / f"plan{i}.json").write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
        cmd = [sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
               "--users", str(users), "--spawn-rate", "2", "--run-time", f"{duration}s", "--host", base,
               "--csv", str(work / f"locust{i}"), "--only-summary", "--stop-timeout", "10", "--loglevel", "WARNING"]
        runs.append(subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, "LOAD_PLAN": str(work / f"plan{i}.json")},
                                     stdout=open(work / f"locust{i}.log", "w"), stderr=subprocess.STDOUT))
    for proc in runs:
        proc.wait(timeout=duration + 120)
    totals = []
    for i in range(len(runs)):
        stats = work / f"locust{i}_stats.csv"
        if not stats.exists():
            raise SystemExit((work / f"locust{i}.log").read_text()[-3000:])
        totals.append(report(stats)[0])
    return totals


def slow_case(label: str, base: str, sockets: int, half: bool, tries: int = 2, limit: float = 6.0) -> list:
    took = slow_clients.case(base, sockets, half, tries, limit)
    kind = "half a header" if half else "nothing"
    print(f"  {label:<44} {sockets:>3} sockets sending {kind:<13}: GET /login {slow_clients.describe(took)}",
          flush=True)
    return took


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=12, help="simulated people per node")
    parser.add_argument("--duration", type=int, default=30, help="seconds of locust")
    parser.add_argument("--password", default="county-load-2024")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn processes per node")
    parser.add_argument("--threads", type=int, default=8, help="threads per gunicorn process")
    parser.add_argument("--rounds", type=int, default=6, help="coherence rounds (each direction alternately)")
    args = parser.parse_args(argv)
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("DATABASE_URL 须指向 PostgreSQL(bench.generate 生成的县)")
    work = Path(tempfile.mkdtemp(prefix="cluster-"))
    mail, robots = MailSink().start(), RobotSink().start()
    queue_of = {"node-a": "bench-cluster-a", "node-b": "bench-cluster-b"}
    env = {**os.environ, "TRACKER_CONFIG": "production", "SECRET_KEY": secrets.token_hex(32),
           "SESSION_COOKIE_SECURE": "0", "HSTS_SECONDS": "0",  # plain HTTP on loopback
           "PROXY_FIX_X_FOR": "1", "PROXY_FIX_X_PROTO": "1", "INSTANCE_DIR": str(work / "instance"),
           "UPLOAD_DIR": str(work / "uploads"), "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(mail.port),
           "ROBOT_ALLOWED_HOSTS": "127.0.0.1", "ROBOT_RATE_LIMIT": "100000", "REMINDER_SWEEP_SECONDS": "10",
           "GUNICORN_WORKERS": str(args.workers), "GUNICORN_THREADS": str(args.threads)}
    os.environ.update({k: env[k] for k in ("TRACKER_CONFIG", "SECRET_KEY", "MAIL_SERVER", "MAIL_PORT")})
    from tracker import create_app
    from tracker.extensions import db
    from tracker.services.calendar.clock import today
    from tracker.services.infra.shared_cache import redis_client
    app = create_app()
    procs = Processes(work, env)
    failed = []
    try:
        with app.app_context():
            plan = pick_logins(args.password)
            day = today().isoformat()
            checks.prepare_reminders(db, robots.url)
            print(f"database: {plan['database']} ({plan['tasks']:,} tasks); Redis {env['REDIS_URL']}; "
                  f"{os.cpu_count()} cores; logs in {work}; {load()}", flush=True)
            ports = [free_port(), free_port()]
            bases = [f"http://127.0.0.1:{p}" for p in ports]
            for name, port in zip(("web-a", "web-b"), ports):
                procs.start(name, [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"),
                                   "wsgi:app"], GUNICORN_BIND=f"127.0.0.1:{port}")
            for name, queue in queue_of.items():
                procs.start(name, [sys.executable, "-m", "celery", "-A", "wsgi.celery_app", "worker", "-n",
                                   f"{name}@%h", "-Q", f"celery,{queue}", "--pool=prefork", "--concurrency=2",
                                   "--without-gossip", "--without-mingle", "--loglevel=INFO"])
            for name, base in zip(("web-a", "web-b"), bases):
                wait_up(base + "/login", procs.procs[name])
            for name in queue_of:
                procs.wait_log(name, "ready.")
            print(f"web: 2 nodes × {args.workers} gthread workers × {args.threads} threads on {', '.join(bases)}; "
                  f"2 Celery workers (prefork ×2); SMTP sink :{mail.port}; robot sink {robots.url}", flush=True)

            # (1) Both workers sweep the same day at once; every send job is also delivered to both.
            started = time.monotonic()
            race = checks.sweep_race(db, app.extensions["celery"], day, list(queue_of.values()))
            settled = checks.wait_settled(db)
            dupes = checks.duplicates(db)
            sent_email = settled.get("email sent", 0)
            sent_robot = settled.get("wecom sent", 0)
            swept = {n: procs.log(n).count("reminder sweep for") for n in queue_of}
            sends = {n: procs.log(n).count("reminder send:") for n in queue_of}
            print(f"(1) sweep race for {day}: {race['sweeps']} sweeps finished (node-a ran {swept['node-a']}, "
                  f"node-b {swept['node-b']}), {race['resent_ids']} delivery ids sent again to both workers; "
                  f"send jobs run: node-a {sends['node-a']}, node-b {sends['node-b']}; "
                  f"{time.monotonic() - started:.1f} s; {load()}")
            print(f"    deliveries {settled}; rows sharing a unique key: {dupes}")
            print(f"    SMTP sink: {mail.total} messages for {sent_email} sent e-mail deliveries, "
                  f"{mail.repeats} repeats; robot sink: {robots.total} posts for {sent_robot} sent robot "
                  f"deliveries, {robots.repeats} repeats", flush=True)
            ok = not any(dupes.values()) and not mail.repeats and not robots.repeats and \
                mail.total == sent_email and robots.total == sent_robot and sent_email > 0 and \
                not settled.get("email pending") and not settled.get("wecom pending")
            if not ok:
                failed.append("duplicate or missing deliveries")

            # (2) The locust flows against both nodes at once, with the one beat running.
            procs.start("beat", [sys.executable, "-m", "celery", "-A", "wsgi.celery_app", "beat", "--loglevel=INFO",
                                 "-s", str(work / "instance" / "beat-schedule")])
            halves = split_plan(plan)
            print(f"(2) locust: {args.users} people on each node for {args.duration} s "
                  f"({len(plan['committee'])} committee, {len(plan['leaders'])} leader, {len(plan['cadres'])} cadre "
                  f"logins, split in two); beat sweeping every {env['REMINDER_SWEEP_SECONDS']} s; {load()}",
                  flush=True)
            totals = run_locust(work, halves, bases, args.users, args.duration)
            for label, total in zip(("node A", "node B"), totals):
                print(f"    {label}: {int(total['Request Count']):,} requests, {total['Failure Count']} failures, "
                      f"{float(total['Requests/s']):.1f} req/s, p50 {total['50%']} ms, p95 {total['95%']} ms, "
                      f"p99 {total['99%']} ms")
            failures = sum(int(t["Failure Count"]) for t in totals)
            if failures:
                failed.append(f"{failures} locust failures")
            settled = checks.wait_settled(db, 30)
            dupes = checks.duplicates(db)
            beat_sweeps = sum(procs.log(n).count("reminder sweep for") - swept[n] for n in queue_of)
            print(f"    after the run: deliveries {settled}; rows sharing a unique key {dupes}; SMTP repeats "
                  f"{mail.repeats} ({mail.total} messages), robot repeats {robots.repeats} ({robots.total} posts); "
                  f"sweeps the beat sent {beat_sweeps}; {load()}", flush=True)
            if any(dupes.values()) or mail.repeats or robots.repeats:
                failed.append("duplicates after the run")
            memory = {n: peak_rss_mib(procs.procs[n].pid) for n in ("web-a", "web-b")}
            print(f"    peak RSS of the gunicorn workers (MiB): {memory}")

            # (3) Kept pages coherent across the nodes.
            cadre = max(plan["cadres"], key=lambda c: len(c["tasks"]))["username"]
            seen = checks.coherence(bases, cadre, args.password, args.rounds,
                                    redis_client(app.config["REDIS_URL"], 2))
            print(f"(3) coherence: {seen['rounds']} progress posts on task {seen['task']} by {cadre}, alternately "
                  f"through node A and node B, each read at once through the other: stale reads {seen['stale']} "
                  f"(COUNTS_CACHE_SECONDS={app.config['COUNTS_CACHE_SECONDS']:g}; {seen['kept_entries']} kept "
                  f"entries in Redis)", flush=True)
            if any(seen["stale"].values()):
                failed.append("stale kept pages")
        procs.stop("beat")

        # (4) Slow and idle clients.
        print(f"(4) slow clients ({load()}):")
        slow_case("node A as deployed (gthread)", bases[0], 8, False)
        slow_case("node A as deployed (gthread)", bases[0], 8, True)
        exhaust = args.workers * args.threads + 2
        slow_case("node A as deployed (gthread)", bases[0], exhaust, True)
        if NGINX:
            port = free_port()
            procs.start("nginx", [NGINX, "-p", str(work), "-e", str(work / "nginx-error.log"), "-c",
                                  str(nginx_conf(work, port, ports))])
            wait_up(f"http://127.0.0.1:{port}/login", procs.procs["nginx"])
            nginx_base = f"http://127.0.0.1:{port}"
            for sockets, half in ((8, False), (exhaust, True), (200, True)):
                took = slow_case("nginx (deploy/nginx) → both nodes", nginx_base, sockets, half)
                if None in took:
                    failed.append("nginx let slow clients through")
        else:
            print("  nginx is not installed: the nginx case was skipped")
        procs.stop("web-b")
        sync_port = free_port()
        procs.start("sync", [sys.executable, "-m", "gunicorn", "--workers", str(args.workers), "--worker-class",
                             "sync", "--bind", f"127.0.0.1:{sync_port}", "--log-level", "warning", "wsgi:app"])
        sync_base = f"http://127.0.0.1:{sync_port}"
        wait_up(sync_base + "/login", procs.procs["sync"])
        slow_clients.timed_logins(sync_base, 2)
        slow_case(f"{args.workers} sync workers (the old deployment)", sync_base, 8, False)
    finally:
        procs.stop_all()
        mail.stop()
        robots.stop()
    print("result: " + ("all checks passed" if not failed else "FAILED: " + "; ".join(failed)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
