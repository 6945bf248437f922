"""The login page: CSRF, Chinese messages, deactivated accounts, sessions ended by a password change."""
from tests.factories import PASSWORD, csrf_token
from tracker.extensions import db
from tracker.services.people.users import deactivate_user, get_user, set_password


def _csrf(client, path="/login"):
    return csrf_token(client.get(path).get_data(as_text=True))


def _login(client, username, password=PASSWORD):
    return client.post("/login", data={"username": username, "password": password, "csrf_token": _csrf(client)})


def test_login_page_renders_in_chinese(client, world):
    response = client.get("/login")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'lang="zh-CN"' in html and "登录" in html and "用户名" in html
    assert "http://" not in html and "https://" not in html  # nothing from a CDN


def test_anonymous_home_redirects_to_login(client, world):
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_wrong_password_is_refused_with_a_message(client, world):
    response = _login(client, "cadre", "wrong-password-1")
    assert response.status_code == 200
    assert "用户名或密码错误" in response.get_data(as_text=True)
    assert 'value="cadre"' in response.get_data(as_text=True)  # the form keeps what was typed


def test_deactivated_account_is_told_so(client, world):
    deactivate_user(get_user("cadre2"))
    db.session.commit()
    assert "该账号已停用" in _login(client, "cadre2").get_data(as_text=True)


def test_missing_csrf_token_is_refused(client, world):
    response = client.post("/login", data={"username": "cadre", "password": PASSWORD})
    assert response.status_code == 400
    assert "页面已过期" in response.get_data(as_text=True)


def test_login_shows_my_tasks_and_logout_ends_it(client, world):
    world.task(title="整理调解卷宗")
    response = _login(client, "cadre")
    assert response.status_code == 302
    home = client.get("/").get_data(as_text=True)
    assert "我的任务" in home and "整理调解卷宗" in home
    response = client.post("/logout", data={"csrf_token": _csrf(client, "/")})
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_password_change_ends_other_sessions(client, app, world):
    _login(client, "cadre")
    assert client.get("/").status_code == 200
    set_password(get_user("cadre"), "another-pass-9")
    db.session.commit()
    with app.app_context():  # a fresh context, as a real next request gets (no cached current_user)
        assert client.get("/").status_code == 302


def test_open_redirect_after_login_is_refused(client, world):
    token = _csrf(client)
    response = client.post("/login?next=//evil.example/x",
                           data={"username": "cadre", "password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == "/"
