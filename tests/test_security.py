"""Security headers and login throttling (HTTP 429) on the web login and the API token endpoint."""
from tests.factories import PASSWORD, csrf_token


def _web_login(client, username, password):
    token = csrf_token(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


def test_pages_and_api_carry_security_headers(client, world):
    for path in ("/login", "/api/v1/openapi.json"):
        headers = client.get(path).headers
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert "unsafe-inline" not in headers["Content-Security-Policy"].split("script-src")[1].split(";")[0]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"


def test_session_cookie_is_httponly_and_lax(client, world):
    response = _web_login(client, "cadre", PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_api_token_endpoint_throttles_repeated_failures(app, client, world):
    app.config["LOGIN_FAILURE_LIMIT"] = "3 per 15 minutes"
    for _ in range(3):
        response = client.post("/api/v1/auth/token", json={"username": "cadre", "password": "wrong-pass-1"})
        assert response.status_code == 401
    response = client.post("/api/v1/auth/token", json={"username": "cadre", "password": PASSWORD})
    assert response.status_code == 429
    assert response.get_json()["error"]["code"] == "too_many_requests"
    # Another person in the same office (same address) is not locked out.
    assert client.post("/api/v1/auth/token", json={"username": "cadre2", "password": PASSWORD}).status_code == 200


def test_successful_logins_do_not_count(app, client, world):
    app.config["LOGIN_FAILURE_LIMIT"] = "2 per 15 minutes"
    for _ in range(4):
        assert client.post("/api/v1/auth/token", json={"username": "cadre", "password": PASSWORD}).status_code == 200


def test_web_login_throttles_repeated_failures(app, client, world):
    app.config["LOGIN_FAILURE_LIMIT"] = "3 per 15 minutes"
    for _ in range(3):
        assert "用户名或密码错误" in _web_login(client, "leader", "wrong-pass-1").get_data(as_text=True)
    response = _web_login(client, "leader", PASSWORD)
    assert response.status_code == 429
    assert "请求过于频繁" in response.get_data(as_text=True)
