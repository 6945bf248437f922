"""The API's front door: bearer tokens, their revocation, the JSON error shape and the public OpenAPI document."""
import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from tests.factories import PASSWORD, ApiClient
from tracker.extensions import db
from tracker.models import ApiToken
from tracker.services.people import users

CJK = re.compile(r"[\u4e00-\u9fff]")
TOKEN_URL = "/api/v1/auth/token"


def assert_error(response, status: int, code: str | None = None) -> dict:
    """The answer is `status` with {"error": {"code", "message" (Chinese), "fields"}}; returns the error."""
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == {"code", "message", "fields"}, error
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["fields"], dict)
    assert CJK.search(error["message"]), f"message is not Chinese: {error['message']!r}"
    if code is not None:
        assert error["code"] == code
    return error


def login(client, username="cadre", password=PASSWORD):
    return client.post(TOKEN_URL, json={"username": username, "password": password})


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


# --- issuing tokens -----------------------------------------------------------------------------------------

def test_token_is_issued_for_good_credentials(client, world):
    response = login(client, "office")

    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"token", "expires_at"}
    assert isinstance(body["token"], str) and len(body["token"]) >= 20
    expires_at = datetime.fromisoformat(body["expires_at"].replace("Z", "+00:00"))
    assert expires_at.tzinfo is not None
    assert expires_at > datetime.now(timezone.utc) + timedelta(hours=1)
    # Only the hash is kept.
    stored = db.session.scalars(select(ApiToken.token_hash)).all()
    assert stored and body["token"] not in stored

    plans = client.get("/api/v1/plans", headers=bearer(body["token"]))
    assert plans.status_code == 200
    assert [p["org"] for p in plans.get_json()["items"]] == ["云乐镇"]


def test_each_login_gets_its_own_token(client, world):
    first, second = login(client).get_json()["token"], login(client).get_json()["token"]
    assert first != second
    for token in (first, second):
        assert client.get("/api/v1/tasks", headers=bearer(token)).status_code == 200


@pytest.mark.parametrize("username, password", [
    ("cadre", "wrong-password"),
    ("nobody", PASSWORD),          # an unknown user gets the same answer: no hint which part was wrong
    ("cadre", PASSWORD.upper()),
])
def test_bad_credentials_are_refused_with_401(client, world, username, password):
    error = assert_error(login(client, username, password), 401, "unauthenticated")
    assert error["message"] == "用户名或密码错误"
    assert error["fields"] == {}
    assert db.session.scalars(select(ApiToken)).all() == []


def test_401_names_the_bearer_scheme(client, world):
    response = login(client, "cadre", "wrong-password")
    assert response.headers.get("WWW-Authenticate") == "Bearer"


def test_deactivated_user_cannot_log_in_and_their_tokens_stop_working(client, world):
    token = login(client, "cadre").get_json()["token"]
    users.deactivate_user(users.get_user("cadre"), handover=users.get_user("cadre3"))
    db.session.commit()

    error = assert_error(login(client, "cadre"), 401, "unauthenticated")
    assert "停用" in error["message"]
    assert_error(client.get("/api/v1/tasks", headers=bearer(token)), 401, "unauthenticated")


# --- using tokens --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("headers", [
    {},
    {"Authorization": ""},
    {"Authorization": "Bearer"},
    {"Authorization": "Bearer    "},
    {"Authorization": "Basic b2ZmaWNlOnNlY3JldC0xMjM="},
    {"Authorization": "Bearer not-a-real-token"},
    {"Authorization": "Bearer " + "x" * 5000},
    {"Authorization": "Token abc"},
], ids=["none", "empty", "scheme-only", "blank-token", "basic", "garbage", "huge", "other-scheme"])
@pytest.mark.parametrize("method, path", [
    ("get", "/api/v1/tasks"), ("get", "/api/v1/plans"), ("post", "/api/v1/tasks"), ("delete", TOKEN_URL),
])
def test_missing_or_bad_bearer_is_401(client, world, headers, method, path):
    kwargs = {"json": {}} if method == "post" else {}
    assert_error(getattr(client, method)(path, headers=headers, **kwargs), 401, "unauthenticated")


def test_expired_token_is_401(client, world):
    token = login(client).get_json()["token"]
    row = db.session.scalars(select(ApiToken)).one()
    row.expires_at = datetime.now(timezone.utc) - timedelta(seconds=1)
    db.session.commit()
    assert_error(client.get("/api/v1/tasks", headers=bearer(token)), 401, "unauthenticated")


def test_delete_token_revokes_only_that_token(client, world):
    kept = login(client).get_json()["token"]
    token = login(client).get_json()["token"]

    response = client.delete(TOKEN_URL, headers=bearer(token))
    assert response.status_code == 204
    assert response.get_data() == b""

    assert_error(client.get("/api/v1/tasks", headers=bearer(token)), 401, "unauthenticated")
    assert_error(client.delete(TOKEN_URL, headers=bearer(token)), 401, "unauthenticated")
    assert client.get("/api/v1/tasks", headers=bearer(kept)).status_code == 200
    revoked = [t.revoked_at is not None for t in db.session.scalars(select(ApiToken).order_by(ApiToken.id))]
    assert revoked == [False, True]


def test_factory_client_logs_in_every_role(client, world):
    for username in ["office", "leader", "cadre", "viewer", "town_viewer", "county_office", "other_office"]:
        assert ApiClient(client, username).get("/tasks").status_code == 200


# --- the token request's own bad input -----------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, field", [
    ({"data": "{not json", "content_type": "application/json"}, "body"),
    ({"data": "", "content_type": "application/json"}, "body"),
    ({"data": '{"username": "cadre", "password": ', "content_type": "application/json"}, "body"),
    ({"json": ["cadre", PASSWORD]}, "body"),
    ({"json": "cadre"}, "body"),
    ({"data": "username=cadre&password=secret-123", "content_type": "application/x-www-form-urlencoded"}, "body"),
    ({"data": '{"username": "cadre", "password": "secret-123"}', "content_type": "text/plain"}, "body"),
    ({"json": {"username": "cadre"}}, "password"),
    ({"json": {"password": PASSWORD}}, "username"),
    ({"json": {"username": 5, "password": PASSWORD}}, "username"),
    ({"json": {"username": "cadre", "password": None}}, "password"),
    ({"json": {"username": "", "password": PASSWORD}}, "username"),
    ({"json": {"username": "cadre", "password": PASSWORD, "remember": True}}, "remember"),
], ids=["malformed", "empty", "truncated", "array", "string", "form", "text-plain", "no-password", "no-username",
        "username-number", "password-null", "username-empty", "unknown-field"])
def test_malformed_token_request_is_400(client, world, kwargs, field):
    error = assert_error(client.post(TOKEN_URL, **kwargs), 400, "invalid")
    assert field in error["fields"]
    assert db.session.scalars(select(ApiToken)).all() == []


# --- the OpenAPI document -----------------------------------------------------------------------------------

def api_routes(app) -> set[tuple[str, str]]:
    """(path in OpenAPI spelling, method) of every route the app serves under /api/v1."""
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        routes |= {(path, m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}}
    return routes


def test_openapi_is_public_and_lists_every_route(app, client, world):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    doc = response.get_json()
    assert doc["openapi"].startswith("3.")
    documented = {(path, method) for path, ops in doc["paths"].items() for method in ops}
    served = api_routes(app)
    assert served, "no API routes found"
    assert documented == served
    # The contract's operations, by name.
    for path, method in [
        ("/api/v1/auth/token", "post"), ("/api/v1/auth/token", "delete"), ("/api/v1/plans", "get"),
        ("/api/v1/tasks", "get"), ("/api/v1/tasks", "post"), ("/api/v1/tasks/{task_id}", "get"),
        ("/api/v1/tasks/{task_id}", "patch"), ("/api/v1/tasks/{task_id}/progress", "post"),
        ("/api/v1/tasks/{task_id}/complete-request", "post"), ("/api/v1/tasks/{task_id}/extension-request", "post"),
        ("/api/v1/tasks/{task_id}/review", "post"), ("/api/v1/tasks/{task_id}/cancel", "post"),
        ("/api/v1/tasks/{task_id}/history", "get"), ("/api/v1/openapi.json", "get"),
    ]:
        assert (path, method) in documented, (path, method)


def test_openapi_marks_which_operations_need_a_token(client, world):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "security" not in paths["/api/v1/auth/token"]["post"]
    assert "security" not in paths["/api/v1/openapi.json"]["get"]
    assert paths["/api/v1/tasks"]["get"]["security"] == [{"bearer": []}]
    assert paths["/api/v1/tasks/{task_id}"]["patch"]["security"] == [{"bearer": []}]


def test_openapi_schemas_describe_the_task(client, world):
    doc = client.get("/api/v1/openapi.json").get_json()
    schemas = doc["components"]["schemas"]
    task_props = set(schemas["TaskOut"]["properties"])
    assert {"id", "plan_id", "title", "description", "theme", "report_section", "owner", "co_owners", "lead", "unit",
            "due_date", "status", "progress", "version", "overdue", "light", "created_at",
            "updated_at"} <= task_props
    create = doc["paths"]["/api/v1/tasks"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert create == {"$ref": "#/components/schemas/TaskCreate"}
    assert schemas["TaskCreate"]["properties"]["title"]["maxLength"] == 200
    error = schemas["ErrorBody"]["properties"]
    assert set(error) == {"code", "message", "fields"}


def test_unknown_api_path_answers_json_404(client, world):
    assert_error(client.get("/api/v1/no-such-thing"), 404, "not_found")
