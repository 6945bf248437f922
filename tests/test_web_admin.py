"""User management pages: create, change role, reset password, deactivate with handover; refusals."""
from tests.factories import PASSWORD
from tests.web_fixtures import as_user, login, post
from tracker.extensions import db
from tracker.models import PlanTask, User
from tracker.services.people.users import get_user


def _text(response):
    return response.get_data(as_text=True)


def test_committee_creates_a_user_with_errors_first(client, world):
    login(client, "office")
    page = "/users/new"
    html = _text(post(client, page, {"username": "a b", "name": "", "role": "cadre", "password": "short",
                                     "phone": "abc"}, page=page))
    assert "用户名须为2–64位字母" in html and "姓名不能为空" in html and "密码至少8位" in html
    assert "电话号码格式不正确" in html and 'value="a b"' in html
    html = _text(post(client, page, {"username": "cadre", "name": "重名", "role": "cadre",
                                     "password": "new-pass-1"}, page=page))
    assert "用户名已存在" in html
    response = post(client, page, {"username": "wang_gang", "name": "王刚", "role": "cadre",
                                   "password": "new-pass-1", "phone": "13800000000"}, page=page)
    assert response.status_code == 302
    user = get_user("wang_gang")
    assert user.org.name == "云乐镇" and user.role == "cadre"
    assert "王刚" in _text(client.get("/users/?q=王"))


def test_user_list_filters_and_pages(client, world):
    login(client, "office")
    html = _text(client.get("/users/?role=leader"))
    assert "leader姓名" in html and "cadre2姓名" not in html
    html = _text(client.get("/users/?per_page=2&page=2&sort=username"))
    assert "第 2 / " in html
    assert "other_office" not in _text(client.get("/users/?q=other"))
    assert client.get("/users/?role=boss").status_code == 200


def test_role_change_refuses_to_strand_led_tasks(client, world):
    world.task(lead="leader")
    login(client, "office")
    leader = get_user("leader")
    page = f"/users/{leader.id}"
    html = _text(post(client, f"{page}/role", {"role-role": "cadre"}, page=page))
    assert "牵头1项未办结任务" in html
    response = post(client, f"/users/{get_user('cadre3').id}/role", {"role-role": "leader"}, page=page)
    assert response.status_code == 302
    db.session.expire_all()
    assert get_user("cadre3").role == "leader" and get_user("leader").role == "leader"


def test_password_reset_ends_the_users_session(client, app, world):
    with as_user(app, "cadre2") as cadre_browser:
        assert cadre_browser.get("/").status_code == 200
    login(client, "office")
    target = get_user("cadre2")
    page = f"/users/{target.id}"
    assert "密码至少8位" in _text(post(client, f"{page}/password", {"pw-password": "123"}, page=page))
    assert post(client, f"{page}/password", {"pw-password": "reset-pass-9"}, page=page).status_code == 302
    with app.app_context():
        assert cadre_browser.get("/").status_code == 302
    fresh = app.test_client()
    with app.app_context():
        from tests.factories import csrf_token
        token = csrf_token(fresh.get("/login").get_data(as_text=True))
        bad = fresh.post("/login", data={"username": "cadre2", "password": PASSWORD, "csrf_token": token})
        assert "用户名或密码错误" in _text(bad)


def test_deactivate_with_handover_moves_open_tasks(client, world):
    task = world.task(owner="cadre", co_owners=["cadre2"])
    login(client, "office")
    cadre = get_user("cadre")
    page = f"/users/{cadre.id}"
    html = _text(post(client, f"{page}/deactivate", {"off-handover": ""}, page=page))
    assert "请选择接手人" in html
    assert post(client, f"{page}/deactivate", {"off-handover": "cadre3"}, page=page).status_code == 302
    db.session.expire_all()
    assert get_user("cadre").is_active_account is False
    assert db.session.get(PlanTask, task.id).owner.username == "cadre3"
    assert "已停用" in _text(client.get(page))
    assert "工作移交" in _text(client.get(f"/tasks/{task.id}"))


def test_user_management_refused_to_others(client, app, world):
    cadre_id = get_user("cadre").id
    login(client, "leader")
    assert client.get("/users/").status_code == 403
    assert post(client, f"/users/{cadre_id}/password", {"pw-password": "hacked-pass-1"}).status_code == 403
    with as_user(app, "other_office") as other:
        assert other.get(f"/users/{cadre_id}").status_code == 404
        assert post(other, f"/users/{cadre_id}/deactivate", {"off-handover": ""}).status_code == 404
        assert ">cadre姓名<" not in _text(other.get("/users/"))
    db.session.expire_all()
    assert db.session.get(User, cadre_id).is_active_account
