"""Every GET page for every role: the expected 200/302/403/404, never a 500."""
import pytest

from tests.web_fixtures import login, scene  # noqa: F401  (fixture)
from tracker.extensions import db

ROLES = ["office", "leader", "cadre", "viewer", "other_office", None]

# Per endpoint, the status for office, leader, cadre, viewer (county), other township's committee, anonymous.
EXPECTED = {
    "auth.login": (302, 302, 302, 302, 302, 200),
    "home.index": (200, 200, 200, 200, 200, 302),
    "task_pages.index": (200, 200, 200, 200, 200, 302),
    "task_pages.detail": (200, 200, 200, 200, 404, 302),
    "task_pages.evidence": (200, 200, 200, 200, 404, 302),
    "task_pages.thumbnail": (200, 200, 200, 200, 404, 302),
    "task_pages.progress_form": (200, 403, 200, 403, 404, 302),
    "task_pages.edit": (200, 403, 403, 403, 404, 302),
    "task_pages.targets_form": (200, 200, 403, 403, 404, 302),  # the lead of the scene's task may set targets
    "plans.index": (200, 200, 200, 200, 200, 302),
    "plans.new_task": (200, 403, 403, 403, 404, 302),
    "plans.new_plan": (200, 403, 403, 403, 200, 302),
    "plans.split": (200, 403, 403, 403, 404, 302),
    "dashboard.index": (200, 200, 403, 200, 200, 302),
    "review.index": (200, 200, 403, 403, 200, 302),
    "users_admin.index": (200, 403, 403, 403, 200, 302),
    "users_admin.new": (200, 403, 403, 403, 200, 302),
    "users_admin.detail": (200, 403, 403, 403, 404, 302),
}


def _args(rule, scene, world):
    values = {"task_id": scene.task.id, "evidence_id": scene.evidence_id, "plan_id": world.plan.id,
              "user_id": scene.member.id}
    return {name: values[name] for name in rule.arguments}


def _get_rules(app):
    return [r for r in app.url_map.iter_rules()
            if "GET" in r.methods and not r.endpoint.startswith(("api.", "static"))]


def test_every_get_page_is_listed(app):
    """A new page of this feature's blueprints must be added to EXPECTED, so none escapes this test."""
    missing = {r.endpoint for r in _get_rules(app) if r.endpoint not in EXPECTED
               and r.endpoint.split(".")[0] in ("auth", "home", "task_pages", "plans", "dashboard", "review",
                                                  "users_admin")}
    assert not missing


@pytest.mark.parametrize("role_index,username", list(enumerate(ROLES)))
def test_every_page_for_every_role(app, client, world, scene, role_index, username):
    if username:
        login(client, username)
    seen = {}
    for rule in _get_rules(app):
        if rule.endpoint not in EXPECTED:
            continue  # another feature's page; its own tests cover it
        path = rule.build(_args(rule, scene, world), append_unknown=False)[1]
        response = client.get(path)
        seen[rule.endpoint] = response.status_code
        assert response.status_code != 500, (rule.endpoint, response.get_data(as_text=True)[:2000])
        db.session.rollback()
    expected = {endpoint: codes[role_index] for endpoint, codes in EXPECTED.items()}
    assert seen == expected


def test_pages_fit_a_phone_and_load_nothing_from_outside(app, client, world, scene):
    login(client, "office")
    for path in ["/", "/tasks", f"/tasks/{scene.task.id}", "/plans", "/dashboard", "/review", "/users/"]:
        html = client.get(path).get_data(as_text=True)
        assert 'name="viewport" content="width=device-width' in html
        assert "http://" not in html and "https://" not in html, path
        assert 'lang="zh-CN"' in html
