"""Test data built through the services, as the product itself would build it."""
import re
from dataclasses import dataclass
from datetime import date

from tracker.extensions import db
from tracker.models import Plan, PlanTask
from tracker.services.people import orgs, users
from tracker.services.plans import verbs as plans
from tracker.services.tasks import verbs as tasks

PASSWORD = "secret-123"


@dataclass
class World:
    plan: Plan
    other_plan: Plan

    def task(self, **overrides) -> PlanTask:
        """A task assigned to `cadre`, led by `leader`, due 2026-12-31 unless overridden."""
        data = {"theme": "法", "title": "开展普法宣讲", "report_section": 5, "owner": "cadre",
                "co_owners": ["cadre2"], "lead": "leader", "unit": "司法所", "start_date": date(2026, 1, 1),
                "due_date": date(2026, 12, 31)}
        data.update(overrides)
        task = tasks.create_task(users.get_user("office"), self.plan, data)
        db.session.commit()
        return task


def build_world() -> World:
    """旌德县 over 云乐镇 and 白地镇; in 云乐镇 every role; in 白地镇 a committee and a cadre."""
    county = orgs.create_org("旌德县")
    town = orgs.create_org("云乐镇", county)
    other = orgs.create_org("白地镇", county)
    for username, org, role in [
        ("office", town, "committee"), ("leader", town, "leader"), ("leader2", town, "leader"),
        ("cadre", town, "cadre"), ("cadre2", town, "cadre"), ("cadre3", town, "cadre"),
        ("viewer", county, "viewer"), ("town_viewer", town, "viewer"), ("county_office", county, "committee"),
        ("other_office", other, "committee"), ("other_cadre", other, "cadre"),
    ]:
        users.create_user(username=username, org=org, role=role, name=f"{username}姓名", password=PASSWORD)
    themes = [("法", "以“法”字推进法治云乐"), ("新", "以“新”字打造特色品牌"), ("实", "以“实”字坚持为民服务")]
    plan = plans.create_plan(town, 2026, "云乐镇2026年法治政府建设工作计划", themes)
    other_plan = plans.create_plan(other, 2026, "白地镇2026年计划", [("1", "法治宣传")])
    db.session.commit()
    return World(plan, other_plan)


class ApiClient:
    """A logged-in API caller; every call sends the bearer token."""

    def __init__(self, client, username: str, password: str = PASSWORD):
        self.client = client
        response = client.post("/api/v1/auth/token", json={"username": username, "password": password})
        assert response.status_code == 200, response.get_json()
        self.token = response.get_json()["token"]

    def _call(self, method, path, **kwargs):
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        return getattr(self.client, method)("/api/v1" + path, headers=headers, **kwargs)

    def get(self, path, **kw):
        return self._call("get", path, **kw)

    def post(self, path, **kw):
        return self._call("post", path, **kw)

    def patch(self, path, **kw):
        return self._call("patch", path, **kw)

    def delete(self, path, **kw):
        return self._call("delete", path, **kw)


def csrf_token(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = re.search(r'name="csrf_token"[^>]*?value="([^"]+)"', html) or \
        re.search(r'value="([^"]+)"[^>]*?name="csrf_token"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)
