"""The password rule and who may change a password (issue 18.10): one rule in people/passwords.py, the current
password asked of everyone changing their own, calendar feeds moved by a reset."""
import pytest
from sqlalchemy import select

from tests.factories import PASSWORD
from tests.web_fixtures import login, post
from tracker.extensions import db
from tracker.models import AuditEntry, CalendarFeed
from tracker.services.demo import DEMO_PASSWORD, DEMO_USERS
from tracker.services.exporting.calendar import renew_feed
from tracker.services.people.passwords import common_passwords, weakness
from tracker.services.people.users import get_user


@pytest.mark.parametrize("password, reason", [
    ("password1", "过于常见"), ("abc12345", "过于常见"), ("12345678", "过于常见"), ("PassWord1", "过于常见"),
    ("1234567", "至少8位"), ("", "不能为空"), ("x" * 129, "不能超过128位"),
    ("my-wangwei-9", "包含用户名"), ("WANGWEI2024", "包含用户名"),
])
def test_weak_passwords_are_refused_with_a_reason(password, reason):
    assert reason in weakness(password, "wangwei")


@pytest.mark.parametrize("password", ["Rep-pass-2024!", "yunle2024", PASSWORD, "纯中文的长密码也可以"])
def test_good_passwords_pass(password):
    assert weakness(password, "wangwei") is None


def test_the_shipped_list_holds_ten_thousand_passwords():
    words = common_passwords()
    assert len(words) == 10000 and "123456" in words and "password1" in words


def test_every_demo_user_keeps_the_demo_password():
    assert all(weakness(DEMO_PASSWORD, username) is None for username, *_ in DEMO_USERS)


def _change(client, current, new, confirm=None):
    return post(client, "/account/password", {"pw-current": current, "pw-new": new,
                                              "pw-confirm": new if confirm is None else confirm}, page="/account/")


@pytest.mark.parametrize("username", ["cadre", "office", "leader", "viewer"])
def test_every_user_changes_their_own_password_with_the_current_one(app, client, world, username):
    login(client, username)
    assert "修改密码" in client.get("/account/").get_data(as_text=True)
    assert "当前密码不正确" in _change(client, "wrong-pass-1", "Rep-pass-2024!").get_data(as_text=True)
    assert "两次输入的新密码不一致" in _change(client, PASSWORD, "Rep-pass-2024!", "other").get_data(as_text=True)
    assert "过于常见" in _change(client, PASSWORD, "password1").get_data(as_text=True)
    response = _change(client, PASSWORD, "Rep-pass-2024!")
    assert response.status_code == 302
    with app.app_context():  # this browser stays signed in, with the new password
        assert "密码已修改" in client.get("/account/").get_data(as_text=True)
    fresh = app.test_client()
    with app.app_context():
        login(fresh, username, "Rep-pass-2024!")
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "user.set_password")).one()
    assert entry.changes["password"] == "已修改"


def test_changing_ones_own_password_ends_the_other_sessions(app, client, world):
    other = app.test_client()
    with app.app_context():
        login(other, "cadre")
    login(client, "cadre")
    assert _change(client, PASSWORD, "Rep-pass-2024!").status_code == 302
    with app.app_context():
        assert other.get("/").status_code == 302


def test_a_reset_by_the_committee_moves_the_calendar_feed_and_tells_the_user(app, client, world):
    cadre = get_user("cadre")
    old = renew_feed(cadre, "personal").token
    db.session.commit()
    assert client.get(f"/calendar/{old}.ics").status_code == 200
    login(client, "office")
    page = f"/users/{cadre.id}"
    response = post(client, f"{page}/password", {"pw-password": "Reset-pass-77"}, page=page, follow_redirects=True)
    assert "日历订阅地址已更换" in response.get_data(as_text=True)
    db.session.expire_all()
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == cadre.id,
                                                        CalendarFeed.revoked_at.is_(None)))
    assert feed.token != old and feed.revoked_at is None
    assert client.get(f"/calendar/{old}.ics").status_code == 404
    assert client.get(f"/calendar/{feed.token}.ics").status_code == 200
    fresh = app.test_client()
    with app.app_context():
        response = login(fresh, "cadre", "Reset-pass-77")
        assert "日历订阅地址也已更换" in fresh.get("/").get_data(as_text=True)
    with app.app_context():
        again = app.test_client()
        login(again, "cadre", "Reset-pass-77")
        assert "日历订阅地址也已更换" not in again.get("/").get_data(as_text=True)  # told once


def test_guessing_the_current_password_counts_as_failed_logins(app, client, world):
    app.config.update(LOGIN_FREE_FAILURES=2)
    login(client, "cadre")
    for _ in range(2):
        assert "当前密码不正确" in _change(client, "guess-pass-1", "Rep-pass-2024!").get_data(as_text=True)
    response = _change(client, PASSWORD, "Rep-pass-2024!")
    assert response.status_code == 429 and "该账号登录失败次数过多" in response.get_data(as_text=True)
    db.session.expire_all()
    from tracker.services.people.passwords import verify_password
    assert verify_password(get_user("cadre").password_hash, PASSWORD)  # unchanged
