"""bench.cluster's two checks: kept pages coherent across web nodes, and no reminder delivered twice."""
import re
import time

import requests
from sqlalchemy import text

CSRF = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"|value="([^"]+)"[^>]*?name="csrf_token"')
PERCENT = re.compile(r'name="p-percent"[^>]*?value="(\d+)"|value="(\d+)"[^>]*?name="p-percent"')
KEYS = {"notification": "recipient_id, task_id, kind, key_date, source_id",
        "delivery": "recipient_id, channel, kind, key_date, notification_ref"}


def _token(html: str, pattern=CSRF) -> str:
    match = pattern.search(html)
    return next(g for g in match.groups() if g) if match else ""


class Client:
    """One person signed in on one web node, through the form and for the API."""

    def __init__(self, base: str, username: str, password: str):
        self.base, self.web = base, requests.Session()
        page = self.web.get(base + "/login", timeout=30)
        answer = self.web.post(base + "/login", data={"username": username, "password": password,
                                                      "csrf_token": _token(page.text)},
                               allow_redirects=False, timeout=30)
        if answer.status_code != 302:
            raise SystemExit(f"{username} 登录 {base} 失败:{answer.status_code}")
        token = requests.post(base + "/api/v1/auth/token", json={"username": username, "password": password},
                              timeout=30).json()["token"]
        self.api = {"Authorization": f"Bearer {token}"}
        self.username = username

    def my_tasks(self) -> str:
        return self.web.get(self.base + "/", timeout=30).text

    def api_progress(self, task_id: int) -> int | None:
        body = requests.get(f"{self.base}/api/v1/tasks?owner={self.username}&per_page=100", headers=self.api,
                            timeout=30).json()
        return next((t["progress"] for t in body["items"] if t["id"] == task_id), None)

    def post_progress(self, task_id: int, percent: int) -> None:
        form = self.web.get(f"{self.base}/tasks/{task_id}/progress", timeout=30).text
        answer = self.web.post(f"{self.base}/tasks/{task_id}/progress", allow_redirects=False, timeout=30, data={
            "csrf_token": _token(form), "p-percent": str(percent), "p-note": "集群一致性检查:本周进展。",
            "p-metrics-0-name": "普法宣讲", "p-metrics-0-value": "1", "p-metrics-0-unit": "次"})
        if answer.status_code != 302:
            raise SystemExit(f"进展提交失败:{answer.status_code}")


def page_progress(html: str, task_id: int) -> int | None:
    """The percent 我的任务 shows on the card of this task."""
    at = html.find(f'href="/tasks/{task_id}"')
    match = re.search(r'class="pct">(\d+)%', html[at:]) if at >= 0 else None
    return int(match.group(1)) if match else None


def coherence(bases: list[str], username: str, password: str, rounds: int, redis_client) -> dict:
    """Post progress through one node, read 我的任务 and the API list through the other at once; count stale reads."""
    a, b = (Client(base, username, password) for base in bases)
    html = b.my_tasks()
    task_id = next(int(t) for t in re.findall(r'href="/tasks/(\d+)"', html)
                   if (page_progress(html, int(t)) or 100) < 100 - rounds - 1)
    stale = {"我的任务": 0, "API list": 0}
    for k in range(rounds):
        writer, reader = (a, b) if k % 2 == 0 else (b, a)
        before = page_progress(reader.my_tasks(), task_id)
        reader.my_tasks(), reader.api_progress(task_id)  # kept now (read twice: the second from Redis)
        percent = before + 1
        writer.post_progress(task_id, percent)
        stale["我的任务"] += page_progress(reader.my_tasks(), task_id) != percent
        stale["API list"] += reader.api_progress(task_id) != percent
    kept = sum(1 for _ in redis_client.scan_iter("tracker:cache:counts:*", count=1000))
    return {"task": task_id, "rounds": rounds, "stale": stale, "kept_entries": kept}


def prepare_reminders(db, robot_url: str) -> None:
    """A clean slate for today's sweep: every generated person has e-mail, every unit a robot on loopback."""
    for table in ("delivery_item", "delivery", "notification", "reminder_sweep"):
        db.session.execute(text(f"DELETE FROM {table}"))
    db.session.execute(text("UPDATE user_account SET email = username || '@example.org' "
                            "WHERE email IS NULL OR email = ''"))
    db.session.execute(text(
        "INSERT INTO org_channels (org_id, is_email_on, wecom_webhook, dingtalk_webhook, dingtalk_secret) "
        "SELECT id, true, :url || '/wecom/' || id, '', '' FROM organisation WHERE parent_id IS NOT NULL "
        "ON CONFLICT (org_id) DO UPDATE SET wecom_webhook = EXCLUDED.wecom_webhook"), {"url": robot_url})
    db.session.commit()


def wait_settled(db, seconds: float = 90) -> dict:
    """Poll until no delivery is pending (or the time is up); the deliveries by channel and status."""
    deadline = time.monotonic() + seconds
    while True:
        db.session.rollback()
        pending = db.session.scalar(text("SELECT count(*) FROM delivery WHERE status = 'pending'"))
        if not pending or time.monotonic() > deadline:
            rows = db.session.execute(text("SELECT channel, status, count(*) FROM delivery GROUP BY 1, 2"))
            return {f"{c} {s}": n for c, s, n in rows}
        time.sleep(0.2)


def duplicates(db) -> dict:
    """Rows sharing a unique key (the constraints forbid them: this shows the count, not trusts it)."""
    db.session.rollback()
    return {table: db.session.scalar(text(f"SELECT count(*) - count(DISTINCT ({key})) FROM {table}"))
            for table, key in KEYS.items()}


def sweep_race(db, celery, day: str, queues: list[str], per_queue: int = 2) -> dict:
    """Today's sweep sent to every worker's own queue at once, then every delivery's id sent to each again."""
    for _ in range(per_queue):
        for queue in queues:
            celery.send_task("reminders.sweep", args=[day], queue=queue)
    deadline = time.monotonic() + 90
    finished = 0
    while finished < per_queue * len(queues) and time.monotonic() < deadline:
        time.sleep(0.2)
        db.session.rollback()
        finished = db.session.scalar(text("SELECT count(*) FROM reminder_sweep WHERE finished_at IS NOT NULL"))
    ids = list(db.session.scalars(text("SELECT id FROM delivery ORDER BY id")))
    # As a broker redelivering a message would: the same send job reaches both workers.
    for queue in queues:
        for start in range(0, len(ids), 100):
            celery.send_task("reminders.send", args=[ids[start:start + 100]], queue=queue)
    return {"sweeps": finished, "resent_ids": len(ids)}
