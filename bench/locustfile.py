"""Load test (not a test of the suite): committee, leaders and cadres doing their real flows, for locust.

Run through `python -m bench.load`, which picks the logins, starts gunicorn and runs locust headless; that
module writes the logins to the JSON file named by LOAD_PLAN. Locust uses gevent: nothing in tests/ imports this.
"""
import json
import os
import random
import re

from locust import HttpUser, between, task

PLAN = json.loads(open(os.environ["LOAD_PLAN"], encoding="utf-8").read()) if os.environ.get("LOAD_PLAN") else {}
CSRF = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"|value="([^"]+)"[^>]*?name="csrf_token"')
PERCENT = re.compile(r'name="p-percent"[^>]*?value="(\d+)"|value="(\d+)"[^>]*?name="p-percent"')
_handed_out: dict[str, int] = {}


def _next_login(role: str) -> dict:
    """Each simulated person gets a login of their own (round robin over the role's pool)."""
    pool = PLAN[role]
    n = _handed_out.get(role, 0)
    _handed_out[role] = n + 1
    return pool[n % len(pool)]


def _token_of(html: str, pattern=CSRF) -> str | None:
    match = pattern.search(html)
    return next(g for g in match.groups() if g) if match else None


class Person(HttpUser):
    """Logs in through the form (and for the API), then browses; any non-2xx/3xx answer counts as an error."""

    abstract = True
    role = ""
    wait_time = between(1, 3)

    def on_start(self):
        self.login = _next_login(self.role)
        page = self.client.get("/login", name="/login")
        token = _token_of(page.text)
        with self.client.post("/login", data={"username": self.login["username"], "password": PLAN["password"],
                                              "csrf_token": token}, allow_redirects=False, name="/login [POST]",
                              catch_response=True) as response:
            if response.status_code != 302:
                response.failure(f"login of {self.login['username']} answered {response.status_code}")
        answer = self.client.post("/api/v1/auth/token", name="/api/v1/auth/token",
                                  json={"username": self.login["username"], "password": PLAN["password"]})
        self.api_headers = {"Authorization": f"Bearer {answer.json()['token']}"} if answer.ok else {}

    def page(self, path: str, name: str):
        """A page that must answer 200 itself (a redirect to the login page would be a lost session)."""
        with self.client.get(path, name=name, allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{path} answered {response.status_code}")

    def api_list(self, query: str = ""):
        with self.client.get(f"/api/v1/tasks?per_page=20{query}", headers=self.api_headers,
                             name="/api/v1/tasks", catch_response=True) as response:
            if response.status_code != 200 or "items" not in response.json():
                response.failure(f"API list answered {response.status_code}")

    def a_task(self) -> int:
        return random.choice(self.login["tasks"])


class Cadre(Person):
    """我的任务, a task's page, progress on an own task (the phone flow), the API list."""

    role = "cadres"
    weight = 35

    @task(4)
    def my_tasks(self):
        self.page("/", "/ (我的任务)")

    @task(3)
    def detail(self):
        self.page(f"/tasks/{self.a_task()}", "/tasks/[id]")

    @task(2)
    def post_progress(self):
        task_id = self.a_task()
        form = self.client.get(f"/tasks/{task_id}/progress", name="/tasks/[id]/progress")
        token, current = _token_of(form.text), _token_of(form.text, PERCENT)
        percent = min(int(current or 0) + random.randint(0, 5), 99)
        with self.client.post(f"/tasks/{task_id}/progress", allow_redirects=False, catch_response=True,
                              name="/tasks/[id]/progress [POST]",
                              data={"csrf_token": token, "p-percent": str(percent), "p-note": "按计划推进,已完成本周工作。",
                                    "p-metrics-0-name": "普法宣讲", "p-metrics-0-value": "1",
                                    "p-metrics-0-unit": "次"}) as response:
            if response.status_code != 302:
                response.failure(f"progress on {task_id} answered {response.status_code}")

    @task(1)
    def api(self):
        self.api_list()


class Leader(Person):
    """The review queue, the dashboard, a led task, 我的任务, the API list."""

    role = "leaders"
    fixed_count = 10

    @task(3)
    def review_queue(self):
        self.page("/review", "/review")

    @task(2)
    def dashboard(self):
        self.page("/dashboard", "/dashboard")

    @task(2)
    def detail(self):
        self.page(f"/tasks/{self.a_task()}", "/tasks/[id]")

    @task(1)
    def home(self):
        self.page("/", "/ (我的任务)")

    @task(1)
    def api(self):
        self.api_list()


class Committee(Person):
    """The dashboard, the review queue, the overdue task list, a task, the API list of overdue tasks."""

    role = "committee"
    fixed_count = 5

    @task(3)
    def dashboard(self):
        self.page("/dashboard", "/dashboard")

    @task(2)
    def review_queue(self):
        self.page("/review", "/review")

    @task(2)
    def overdue(self):
        self.page("/tasks?overdue=1", "/tasks?overdue=1")

    @task(2)
    def detail(self):
        self.page(f"/tasks/{self.a_task()}", "/tasks/[id]")

    @task(1)
    def api(self):
        self.api_list("&overdue=true")
