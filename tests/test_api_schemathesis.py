"""schemathesis against /api/v1/openapi.json through the WSGI app (issue 8): no 5xx, no answer outside the schema.

Bounded: a few examples per operation, so the module runs in well under two minutes. The caller is the
committee of 云乐镇 with a bearer token; its tasks have small ids, so generated ids often hit real tasks.
"""
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

import config
from tests.conftest import TODAY, _empty_tables
from tests.factories import PASSWORD, build_world
from tracker import create_app
from tracker.api import bp as api_bp
from tracker.api.spec import build
from tracker.extensions import db
from tracker.services.people import throttle, users
from tracker.services.supervision import verbs
from tracker.services.tasks import progress, requests

CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]


@pytest.fixture(scope="module")
def api_app(services, tmp_path_factory):
    """One app for the module; no app context stays pushed, so every request gets its own `g`."""
    base = tmp_path_factory.mktemp("schemathesis")
    app = create_app(config.TestConfig(), INSTANCE_DIR=str(base / "instance"), UPLOAD_DIR=str(base / "uploads"),
                     FIXED_TODAY=TODAY, SECRET_KEY="test-secret")
    with app.app_context():
        world = build_world()
        for n in range(6):
            task = world.task(title=f"接口测试任务{n}")
            if n % 2:
                progress.record_progress(users.get_user("cadre"), task, percent=20 * n, note="按计划推进",
                                         metrics=[{"name": "普法宣讲", "value": n, "unit": "次"}])
            if n == 3:
                requests.request_completion(users.get_user("cadre"), task, "已完成")
            if n == 1:  # a 督办单 for the generated supervision ids to find
                verbs.issue(users.get_user("county_office"), task, "请抓紧推进", 3)
        from tracker.services.reporting import (
            submission,  # a sent-up report, so its ids answer (issue 17.6)
        )
        submission.submit(users.get_user("office"), world.plan.org, 2026, TODAY)
        db.session.commit()
    yield app
    with app.app_context():
        _empty_tables()
        throttle.forget_all()
        db.engine.dispose()


# Loaded at import, because schemathesis's fixture loader (`from_fixture`) does not run under pytest 9; the
# module's first test checks that the app serves exactly this document.
schema = schemathesis.openapi.from_dict(build(api_bp.url_prefix))


def _token(app) -> str:
    response = app.test_client().post("/api/v1/auth/token", json={"username": "office", "password": PASSWORD})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["token"]


@pytest.fixture(scope="module")
def office_token(api_app):
    return _token(api_app)


def test_the_app_serves_the_schema_under_test(api_app):
    response = api_app.test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.get_json() == build(api_bp.url_prefix)
    assert len(response.get_json()["paths"]) >= 10


@schema.parametrize()
@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture])
def test_api_conforms_to_its_schema(case, api_app, office_token):
    # Revoking the token would sign the rest of the run out: DELETE /auth/token gets a token of its own.
    token = _token(api_app) if case.method == "DELETE" and case.path.endswith("/auth/token") else office_token
    case.call_and_validate(app=api_app, headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
