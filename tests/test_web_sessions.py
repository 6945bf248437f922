"""Sessions end for real (issue 18.7): logout and 结束全部登录 refuse every copied cookie, 记住我 included; idle
sessions end; the CSRF secret changes at login."""
import time
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

from tests.factories import PASSWORD, csrf_token
from tests.web_fixtures import login, post
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import AuditEntry
from tracker.services.people.users import get_user


def _copy_cookies(app, source, names=("session", "remember_token")):
    """A second browser holding copies of the first one's cookies."""
    other = app.test_client()
    for name in names:
        cookie = source.get_cookie(name)
        if cookie is not None:
            other.set_cookie(name, cookie.value)
    return other


def _remember_login(client, username="cadre"):
    token = csrf_token(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"username": username, "password": PASSWORD, "remember": "y",
                                       "csrf_token": token})


def test_a_copied_session_cookie_is_refused_after_logout(app, client, world):
    login(client, "cadre")
    with app.app_context():
        copy = _copy_cookies(app, client, names=("session",))
        assert copy.get("/").status_code == 200  # the copy works while the session lives
    post(client, "/logout", {})
    with app.app_context():  # a fresh context, as a real next request gets (no cached current_user)
        assert copy.get("/").status_code == 302


def test_a_copied_remember_cookie_is_refused_after_logout(app, client, world):
    response = _remember_login(client)
    cookie = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("remember_token=")][0]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    expires = parsedate_to_datetime(cookie.split("Expires=")[1].split(";")[0])
    assert timedelta(days=29) < expires - datetime.now(timezone.utc) <= timedelta(days=30)  # not a year
    with app.app_context():
        copy = _copy_cookies(app, client, names=("remember_token",))
        assert copy.get("/").status_code == 200  # the copy alone signs in while the user is signed in
    post(client, "/logout", {})
    with app.app_context():
        assert _copy_cookies(app, copy, names=("remember_token",)).get("/").status_code == 302


def test_production_sends_the_remember_cookie_only_over_https_and_for_30_days_at_most(monkeypatch):
    from config import Config, ProductionConfig
    monkeypatch.setenv("REMEMBER_COOKIE_DAYS", "365")
    monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    production = ProductionConfig()
    assert production.REMEMBER_COOKIE_SECURE is True and production.SESSION_COOKIE_SECURE is True
    assert production.REMEMBER_COOKIE_DURATION == timedelta(days=30)
    assert Config().REMEMBER_COOKIE_HTTPONLY is True and Config().REMEMBER_COOKIE_SAMESITE == "Lax"


def _age_session(client, seconds):
    with client.session_transaction() as session:
        session["_seen_at"] = int(time.time()) - seconds


def test_an_idle_session_ends_after_the_configured_time(app, client, world):
    app.config["SESSION_IDLE_MINUTES"] = 8 * 60
    login(client, "cadre")
    _age_session(client, 7 * 3600)
    with app.app_context():
        assert client.get("/").status_code == 200  # seven idle hours: still signed in, and the clock restarts
    _age_session(client, 8 * 3600 + 5)
    with app.app_context():
        response = client.get("/")
        assert response.status_code == 302 and "/login" in response.headers["Location"]
        assert "长时间未操作" in client.get("/login").get_data(as_text=True)


def test_remember_me_signs_in_again_after_an_idle_session(app, client, world):
    _remember_login(client)
    _age_session(client, 9 * 3600)
    with app.app_context():
        assert client.get("/").status_code == 200


def test_the_csrf_secret_changes_at_login(app, client, world):
    before = csrf_token(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"username": "cadre", "password": PASSWORD, "csrf_token": before})
    with app.app_context():
        assert client.post("/logout", data={"csrf_token": before}).status_code == 400
        assert client.get("/").status_code == 200  # still signed in: the stale token changed nothing


def test_the_committee_ends_all_sessions_of_a_member(app, client, world, api):
    cadre = app.test_client()
    with app.app_context():
        _remember_login(cadre)
        assert cadre.get("/").status_code == 200
    caller = api("cadre")
    login(client, "office")
    member = get_user("cadre")
    response = post(client, f"/users/{member.id}/sessions", {}, page=f"/users/{member.id}")
    assert response.status_code == 302
    assert "已结束该用户在所有设备上的登录" in client.get(f"/users/{member.id}").get_data(as_text=True)
    with app.app_context():
        assert cadre.get("/").status_code == 302
        assert _copy_cookies(app, cadre, names=("remember_token",)).get("/").status_code == 302
    assert caller.get("/plans").status_code == 401
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.end_sessions")) is not None


def test_only_the_committee_of_the_organisation_ends_sessions(app, client, world):
    login(client, "other_office")
    member = get_user("cadre")
    assert post(client, f"/users/{member.id}/sessions", {}, page="/users/").status_code == 404
