"""Security headers, and login throttling (issue 18.9) on the web login and the API token endpoint, one count."""
from sqlalchemy import select

from tests.factories import PASSWORD, csrf_token
from tests.web_fixtures import login, post
from tracker.extensions import db
from tracker.models import AuditEntry
from tracker.services.people import throttle
from tracker.services.people.users import get_user


def _web_login(client, username, password):
    """Log in through the form in a context of its own (g caches the signed-in user and the CSRF token)."""
    with client.application.app_context():
        return _form_login(client, username, password)


def _form_login(client, username, password):
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


def _token(client, username, password, **kwargs):
    return client.post("/api/v1/auth/token", json={"username": username, "password": password}, **kwargs)


def _end_wait(username):
    """The account's wait is over, as if its seconds had passed (Redis keeps it; no sleeping)."""
    client = throttle._redis()
    key = throttle.PREFIX + "wait:" + username
    if client.exists(key):
        client.pexpire(key, 1)
        while client.exists(key):
            pass


def test_failures_make_the_account_wait_longer_each_time(app, client, world):
    app.config.update(LOGIN_FREE_FAILURES=3, LOGIN_DELAY_BASE_SECONDS=2, LOGIN_DELAY_MAX_SECONDS=900)
    for _ in range(3):
        assert _token(client, "cadre", "wrong-pass-1").status_code == 401
    waits = []
    for _ in range(4):
        response = _token(client, "cadre", PASSWORD)  # even the right password waits, from an unknown device
        assert response.status_code == 429
        assert "该账号登录失败次数过多" in response.get_json()["error"]["message"]
        waits.append(int(response.headers["Retry-After"]))
        _end_wait("cadre")
        assert _token(client, "cadre", "wrong-pass-1").status_code == 401
    assert waits == [2, 4, 8, 16]
    assert throttle.account_state("cadre") == throttle.AccountState(7, 32)
    # Another person in the same office (same address) is not held up.
    assert _token(client, "cadre2", PASSWORD).status_code == 200


def test_the_wait_is_capped(app, client, world):
    app.config.update(LOGIN_FREE_FAILURES=0, LOGIN_DELAY_BASE_SECONDS=2, LOGIN_DELAY_MAX_SECONDS=60)
    for _ in range(12):
        _end_wait("cadre")
        assert _token(client, "cadre", "wrong-pass-1").status_code == 401
    assert _token(client, "cadre", PASSWORD).headers["Retry-After"] == "60"


def test_a_known_device_with_the_right_password_passes_the_wait(app, client, world):
    app.config.update(LOGIN_FREE_FAILURES=2)
    own_phone = app.test_client()
    assert _web_login(own_phone, "leader", PASSWORD).status_code == 302  # sets the device cookie
    assert own_phone.get_cookie("known_device") is not None
    attacker = app.test_client()
    for _ in range(5):
        _end_wait("leader")
        _web_login(attacker, "leader", "guess-pass-1")
    response = _web_login(attacker, "leader", PASSWORD)
    assert response.status_code == 429 and "该账号登录失败次数过多" in response.get_data(as_text=True)
    assert "Retry-After" in response.headers
    with app.app_context():
        post(own_phone, "/logout", {})
    assert "用户名或密码错误" in _web_login(own_phone, "leader", "guess-pass-1").get_data(as_text=True)
    assert _web_login(own_phone, "leader", PASSWORD).status_code == 302
    assert throttle.account_state("leader").failures == 0  # a success clears the account's count
    # The device cookie vouches for its own account only, and only when signed by us.
    stranger = app.test_client()
    stranger.set_cookie("known_device", own_phone.get_cookie("known_device").value)
    for _ in range(3):
        _web_login(stranger, "cadre", "guess-pass-1")
    assert _web_login(stranger, "cadre", PASSWORD).status_code == 429
    forged = app.test_client()
    forged.set_cookie("known_device", "cadre.forged.signature")
    assert _web_login(forged, "cadre", PASSWORD).status_code == 429


def test_web_and_api_share_one_count(app, client, world):
    app.config.update(LOGIN_FREE_FAILURES=3)
    for _ in range(2):
        assert "用户名或密码错误" in _web_login(client, "leader", "wrong-pass-1").get_data(as_text=True)
    assert _token(client, "leader", "wrong-pass-1").status_code == 401
    assert _token(client, "leader", PASSWORD).status_code == 429
    assert _web_login(app.test_client(), "leader", PASSWORD).status_code == 429


def test_an_address_has_a_budget_of_failures_across_accounts(app, client, world):
    app.config.update(LOGIN_ADDRESS_FAILURES=5, LOGIN_FREE_FAILURES=10)
    for name in ("cadre", "cadre2", "cadre3", "leader", "nobody"):  # one password sprayed over many names
        assert _token(client, name, "Spring-2026").status_code == 401
    response = _token(client, "office", PASSWORD)
    assert response.status_code == 429 and "本网络登录失败次数过多" in response.get_json()["error"]["message"]
    assert int(response.headers["Retry-After"]) > 3000
    other_office = app.test_client()
    assert _token(other_office, "office", PASSWORD, environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200


def test_successful_logins_do_not_count(app, client, world):
    app.config.update(LOGIN_FREE_FAILURES=1, LOGIN_ADDRESS_FAILURES=1)
    for _ in range(4):
        assert _token(client, "cadre", PASSWORD).status_code == 200


def test_the_committee_lifts_a_members_wait(app, client, world):
    app.config.update(LOGIN_FREE_FAILURES=1)
    for _ in range(2):
        _end_wait("cadre")
        _token(client, "cadre", "wrong-pass-1")
    assert _token(client, "cadre", PASSWORD).status_code == 429
    office = app.test_client()
    with app.app_context():
        login(office, "office")
        page = f"/users/{get_user('cadre').id}"
        assert "近期连续登录失败 2 次" in office.get(page).get_data(as_text=True)
        assert post(office, f"{page}/unlock", {}, page=page).status_code == 302
    assert _token(client, "cadre", PASSWORD).status_code == 200
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.unlock")) is not None


def test_without_a_proxy_setting_x_forwarded_for_is_not_believed(app, client, world):
    app.config.update(LOGIN_ADDRESS_FAILURES=2, LOGIN_FREE_FAILURES=10)
    for i in range(2):
        _token(client, f"ghost{i}", "Spring-2026", headers={"X-Forwarded-For": f"10.0.0.{i}"})
    assert _token(client, "office", PASSWORD, headers={"X-Forwarded-For": "10.0.0.9"}).status_code == 429


def test_behind_the_documented_proxy_each_client_address_counts_apart(services, tmp_path, world):
    from config import TestConfig
    from tracker import create_app
    proxied = create_app(TestConfig(), PROXY_FIX_X_FOR=1, LOGIN_ADDRESS_FAILURES=2, LOGIN_FREE_FAILURES=10,
                         SECRET_KEY="test-secret", INSTANCE_DIR=str(tmp_path / "instance"))
    web = proxied.test_client()
    with proxied.app_context():
        for i in range(2):
            _token(web, f"ghost{i}", "Spring-2026", headers={"X-Forwarded-For": "203.0.113.7"})
        assert _token(web, "office", PASSWORD, headers={"X-Forwarded-For": "203.0.113.7"}).status_code == 429
        assert _token(web, "office", PASSWORD, headers={"X-Forwarded-For": "198.51.100.4"}).status_code == 200
