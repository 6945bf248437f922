"""The command line (`flask --app wsgi …`) through Flask's CLI runner on the real test database.

Every refusal must exit non-zero with one Chinese line, never a traceback, and leave nothing behind."""
import os
import re
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from tests.conftest import ROOT
from tests.factories import PASSWORD
from tracker.extensions import db
from tracker.models import AuditEntry, Organisation, Plan, PlanTask, ProgressUpdate, TaskRequest, User
from tracker.services.people import users
from tracker.services.tasks import progress, requests

CJK = re.compile(r"[\u4e00-\u9fff]")
NEW_PASSWORD = "fresh-pass-456"


# ───────────────────────── helpers ─────────────────────────

def cli(runner, *args):
    """Run one command as an operator would; the test's own session starts afresh afterwards."""
    db.session.commit()
    result = runner.invoke(args=list(args))
    db.session.rollback()
    return result


def assert_ok(result):
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result.output


def assert_refused(result, *fragments, one_line=True):
    """Non-zero exit, a Chinese message containing the fragments, no traceback."""
    output = result.output
    assert result.exit_code != 0, output
    assert "Traceback" not in output
    assert result.exception is None or isinstance(result.exception, SystemExit), output
    lines = [line for line in output.splitlines() if line.strip()]
    if one_line:
        assert len(lines) == 1, output
        assert lines[0].startswith("错误"), output
    assert any(CJK.search(line) for line in lines), output
    for fragment in fragments:
        assert fragment in output, output
    return output


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def org(path: str) -> Organisation | None:
    node = None
    for name in path.split("/"):
        node = db.session.scalar(select(Organisation).where(
            Organisation.name == name,
            Organisation.parent_id == node.id if node else Organisation.parent_id.is_(None)))
        if node is None:
            return None
    return node


def user(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == username))


def token_status(client, username, password) -> int:
    return client.post("/api/v1/auth/token", json={"username": username, "password": password}).status_code


def login(client, username, password=PASSWORD) -> str:
    response = client.post("/api/v1/auth/token", json={"username": username, "password": password})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["token"]


def token_works(client, token) -> bool:
    response = client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code in (200, 401), response.get_json()
    return response.status_code == 200


def handover_rows(task_ids=None) -> list[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.action == "task.handover").order_by(AuditEntry.id)
    if task_ids is not None:
        query = query.where(AuditEntry.task_id.in_(task_ids))
    return list(db.session.scalars(query))


def people(task: PlanTask) -> tuple:
    """(owner, co-owners, lead) by username, read fresh from the database."""
    db.session.refresh(task)
    return (task.owner.username if task.owner else None, sorted(u.username for u in task.co_owners),
            task.lead.username if task.lead else None)


def finish(task: PlanTask, reporter="cadre", reviewer="leader") -> None:
    """Take a task to done through the real workflow."""
    progress.record_progress(users.get_user(reporter), task, percent=100, note="全部完成")
    requests.request_completion(users.get_user(reporter), task, "申请办结")
    requests.review(users.get_user(reviewer), task, True, "同意")
    db.session.commit()
    assert task.status == "done"


# ───────────────────────── orgs create ─────────────────────────

def test_orgs_create_top_level_child_and_by_path(runner):
    assert "旌德县" in assert_ok(cli(runner, "orgs", "create", "旌德县"))
    assert_ok(cli(runner, "orgs", "create", "云乐镇", "--parent", "旌德县"))
    out = assert_ok(cli(runner, "orgs", "create", "刘村村", "--parent", "旌德县/云乐镇"))
    assert "旌德县/云乐镇/刘村村" in out

    county, town, village = org("旌德县"), org("旌德县/云乐镇"), org("旌德县/云乐镇/刘村村")
    assert county is not None and county.parent_id is None
    assert town.parent_id == county.id
    assert village.parent_id == town.id
    assert village.full_name == "旌德县/云乐镇/刘村村"
    assert county.contains(village) and not village.contains(county)
    created = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "org.create")).all()
    assert len(created) == 3



@pytest.mark.parametrize("args, fragment", [
    pytest.param(["orgs", "create", "云乐镇", "--parent", "旌德县"], "云乐镇", id="duplicate-sibling"),
    pytest.param(["orgs", "create", "旌德县"], "旌德县", id="duplicate-top-level"),
    pytest.param(["orgs", "create", "新镇", "--parent", "不存在县"], "不存在县", id="unknown-parent"),
    pytest.param(["orgs", "create", "新镇", "--parent", "旌德县/不存在镇"], "不存在镇", id="unknown-parent-path"),
    pytest.param(["orgs", "create", "甲/乙", "--parent", "旌德县"], "/", id="slash-in-name"),
    pytest.param(["orgs", "create", "   ", "--parent", "旌德县"], "名称", id="blank-name"),
    pytest.param(["orgs", "create", "镇" * 101, "--parent", "旌德县"], "100", id="name-too-long"),
])
def test_orgs_create_refusals(runner, world, args, fragment):
    before = count(Organisation)
    assert_refused(cli(runner, *args), fragment)
    assert count(Organisation) == before


def test_same_name_under_two_parents_needs_a_path(runner, world):
    assert_ok(cli(runner, "orgs", "create", "司法所", "--parent", "云乐镇"))
    assert_ok(cli(runner, "orgs", "create", "司法所", "--parent", "白地镇"))
    assert org("旌德县/云乐镇/司法所") is not None and org("旌德县/白地镇/司法所") is not None

    before = count(Organisation)
    out = assert_refused(cli(runner, "orgs", "create", "调解室", "--parent", "司法所"), "路径")
    assert "旌德县/云乐镇/司法所" in out and "旌德县/白地镇/司法所" in out
    assert count(Organisation) == before

    assert_ok(cli(runner, "orgs", "create", "调解室", "--parent", "旌德县/白地镇/司法所"))
    assert org("旌德县/白地镇/司法所/调解室") is not None
    assert org("旌德县/云乐镇/司法所").children == []

    # Users too: the bare name is ambiguous, the path is not.
    assert_refused(cli(runner, "users", "create", "sfs", "--org", "司法所", "--role", "cadre",
                       "--name", "所员", "--password", "Xinren-2026"), "路径")
    assert user("sfs") is None
    assert_ok(cli(runner, "users", "create", "sfs", "--org", "旌德县/云乐镇/司法所", "--role", "cadre",
                  "--name", "所员", "--password", "Xinren-2026"))
    assert user("sfs").org.full_name == "旌德县/云乐镇/司法所"


# ───────────────────────── users create ─────────────────────────

def test_users_create(runner, client, world):
    out = assert_ok(cli(runner, "users", "create", "newbie", "--org", "旌德县/云乐镇", "--role", "cadre",
                        "--name", "新同志", "--password", "Xinren-2026", "--email", "newbie@yunle.gov.cn",
                        "--phone", "0563-8501234"))
    assert "newbie" in out
    created = user("newbie")
    assert (created.name, created.role, created.org.full_name) == ("新同志", "cadre", "旌德县/云乐镇")
    assert (created.email, created.phone) == ("newbie@yunle.gov.cn", "0563-8501234")
    assert created.is_active_account
    assert created.password_hash != "Xinren-2026"
    assert token_status(client, "newbie", "Xinren-2026") == 200
    assert token_status(client, "newbie", "Xinren-2026x") == 401
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.create",
                                                       AuditEntry.object_id == created.id))
    assert entry is not None and entry.changes["username"] == [None, "newbie"]


def test_users_create_by_bare_name_and_every_role(runner, world):
    for role in ("committee", "leader", "cadre", "viewer"):
        assert_ok(cli(runner, "users", "create", f"new_{role}", "--org", "白地镇", "--role", role,
                      "--name", f"{role}人", "--password", "Xinren-2026"))
        assert user(f"new_{role}").role == role
        assert user(f"new_{role}").org.name == "白地镇"
        assert user(f"new_{role}").email is None


BASE = ["--org", "云乐镇", "--role", "cadre", "--name", "新同志", "--password", "Xinren-2026"]


def _with(**changes):
    args = list(BASE)
    for option, value in changes.items():
        flag = f"--{option}"
        if flag in args:
            args[args.index(flag) + 1] = value
        else:
            args += [flag, value]
    return args


@pytest.mark.parametrize("username, options, fragment", [
    pytest.param("newbie", _with(org="不存在镇"), "不存在镇", id="unknown-org"),
    pytest.param("newbie", _with(org="旌德县/不存在镇"), "不存在镇", id="unknown-org-path"),
    pytest.param("newbie", _with(password="abc"), "密码", id="short-password"),
    pytest.param("newbie", _with(password="12345678"), "密码", id="common-digits-password"),
    pytest.param("newbie", _with(password="abcdefgh"), "密码", id="common-letters-password"),
    pytest.param("newbie1", _with(password="newbie1"), "密码", id="password-too-short-and-is-username"),
    pytest.param("zhangsan88", _with(password="ZHANGSAN88"), "用户名", id="password-equals-username"),
    pytest.param("newbie", _with(email="not-an-email"), "邮箱", id="bad-email"),
    pytest.param("newbie", _with(email="a@b"), "邮箱", id="email-without-domain"),
    pytest.param("newbie", _with(phone="call me"), "电话", id="bad-phone"),
    pytest.param("bad name", BASE, "用户名", id="bad-username"),
    pytest.param("newbie", _with(name="   "), "姓名", id="blank-name"),
])
def test_users_create_refusals(runner, world, username, options, fragment):
    before = count(User)
    assert_refused(cli(runner, "users", "create", username, *options), fragment)
    assert count(User) == before
    assert user(username) is None


def test_users_create_duplicate_username(runner, world):
    before = count(User)
    original = user("cadre")
    assert_refused(cli(runner, "users", "create", "cadre", *_with(org="白地镇", name="冒名")), "cadre", "已存在")
    assert count(User) == before
    db.session.refresh(original)
    assert (original.name, original.org.name) == ("cadre姓名", "云乐镇")


def test_users_create_bad_role_creates_nothing(runner, world):
    before = count(User)
    assert_refused(cli(runner, "users", "create", "newbie", *_with(role="admin")), "角色须为", one_line=False)
    assert count(User) == before and user("newbie") is None


@pytest.mark.parametrize("options", [
    pytest.param(_with(role="admin"), id="bad-role"),
    pytest.param(BASE[2:], id="missing-org"),
])
def test_users_create_usage_errors_are_one_chinese_line(runner, world, options):
    assert_refused(cli(runner, "users", "create", "newbie", *options))


# ───────────────────────── users deactivate ─────────────────────────

def test_deactivate_hands_over_owned_coowned_and_led_open_tasks(runner, client, world):
    """`leader` owns one open task, co-owns another and leads a third; all three move to leader2."""
    owned = world.task(title="领导本人负责的任务", owner="leader", co_owners=["cadre2"], lead="office")
    coowned = world.task(title="领导协办的任务", owner="cadre", co_owners=["leader", "cadre3"], lead="office")
    led = world.task(title="领导牵头的任务", owner="cadre", co_owners=[], lead="leader")
    done = world.task(title="已办结的任务", owner="cadre", co_owners=[], lead="leader")
    finish(done)
    untouched = world.task(title="无关任务", owner="cadre2", co_owners=[], lead="leader2")
    token = login(client, "leader")
    before_untouched = people(untouched)

    out = assert_ok(cli(runner, "users", "deactivate", "leader", "--handover", "leader2"))
    assert "leader" in out and "3" in out

    assert people(owned) == ("leader2", ["cadre2"], "office")
    assert people(coowned) == ("cadre", ["cadre3", "leader2"], "office")
    assert people(led) == ("cadre", [], "leader2")
    assert people(done) == ("cadre", [], "leader")  # a closed task keeps its history as it was
    assert people(untouched) == before_untouched

    rows = handover_rows()
    assert sorted(r.task_id for r in rows) == sorted([owned.id, coowned.id, led.id])
    by_task = {r.task_id: r.changes for r in rows}
    assert by_task[owned.id]["owner"] == ["leader", "leader2"]
    assert by_task[coowned.id]["co_owners"] == [["cadre3", "leader"], ["cadre3", "leader2"]]
    assert by_task[led.id]["lead"] == ["leader", "leader2"]
    assert all(r.org_id == world.plan.org_id for r in rows)

    gone = user("leader")
    assert not gone.is_active_account and gone.deactivated_at is not None
    assert token_status(client, "leader", PASSWORD) == 401
    assert not token_works(client, token)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.deactivate"))
    assert entry.changes["handover"] == "leader2" and entry.changes["tasks_moved"] == 3


def test_deactivate_without_handover(runner, client, world):
    task = world.task()
    assert_ok(cli(runner, "users", "deactivate", "cadre3"))
    assert not user("cadre3").is_active_account
    assert token_status(client, "cadre3", PASSWORD) == 401
    assert people(task) == ("cadre", ["cadre2"], "leader")
    assert handover_rows() == []


def test_handover_to_a_coowner_does_not_list_them_twice(runner, world):
    task = world.task()  # owner cadre, co-owner cadre2
    assert_ok(cli(runner, "users", "deactivate", "cadre", "--handover", "cadre2"))
    owner, co_owners, _ = people(task)
    assert owner == "cadre2"
    assert "cadre2" not in co_owners  # the rule create/update enforce: 责任人不必再列为协办人


def _snapshot():
    return {t.id: people(t) for t in db.session.scalars(select(PlanTask).order_by(PlanTask.id))}


@pytest.mark.parametrize("username, handover, fragment", [
    pytest.param("cadre", "other_cadre", "同一单位", id="other-org"),
    pytest.param("cadre", "viewer", "同一单位", id="county-user"),
    pytest.param("cadre", "nobody", "nobody", id="unknown-handover"),
    pytest.param("cadre", "cadre", "本人", id="self"),
    pytest.param("leader", "cadre3", "牵头领导", id="cadre-cannot-take-leads"),
    pytest.param("nobody", None, "nobody", id="unknown-user"),
])
def test_deactivate_refusals_change_nothing(runner, client, world, username, handover, fragment):
    world.task(owner="leader", co_owners=["cadre"], lead="office")  # owned by leader first: moved, then undone
    world.task(owner="cadre", co_owners=[], lead="leader")
    before = _snapshot()
    audit_before = count(AuditEntry)
    args = ["users", "deactivate", username] + (["--handover", handover] if handover else [])

    assert_refused(cli(runner, *args), fragment)

    assert _snapshot() == before
    assert handover_rows() == []
    assert count(AuditEntry) == audit_before
    if username != "nobody":
        assert user(username).is_active_account
        assert token_status(client, username, PASSWORD) == 200


def test_deactivate_twice_and_handover_to_a_deactivated_user(runner, world):
    world.task()
    assert_ok(cli(runner, "users", "deactivate", "cadre3"))
    assert_refused(cli(runner, "users", "deactivate", "cadre3"), "已停用")
    before = _snapshot()
    assert_refused(cli(runner, "users", "deactivate", "cadre", "--handover", "cadre3"), "在岗")
    assert user("cadre").is_active_account
    assert _snapshot() == before


# ───────────────────────── users set-password ─────────────────────────

def test_set_password_revokes_old_password_and_tokens(runner, client, world):
    old_token = login(client, "cadre")
    other_user_token = login(client, "cadre2")
    assert token_works(client, old_token)

    assert_ok(cli(runner, "users", "set-password", "cadre", "--password", NEW_PASSWORD))

    assert token_status(client, "cadre", PASSWORD) == 401
    assert not token_works(client, old_token)
    assert token_works(client, login(client, "cadre", NEW_PASSWORD))
    assert token_works(client, other_user_token)
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.set_password",
                                                      AuditEntry.object_id == user("cadre").id)) is not None


@pytest.mark.parametrize("password", ["short1", "12345678", "abcdefgh", "", "x" * 129 + "1"])
def test_set_password_refuses_weak_password(runner, client, world, password):
    old_token = login(client, "cadre")
    hash_before = user("cadre").password_hash
    assert_refused(cli(runner, "users", "set-password", "cadre", "--password", password), "密码")
    assert user("cadre").password_hash == hash_before
    assert token_status(client, "cadre", PASSWORD) == 200
    assert token_works(client, old_token)


def test_set_password_unknown_user(runner, world):
    assert_refused(cli(runner, "users", "set-password", "nobody", "--password", NEW_PASSWORD), "nobody")


# ───────────────────────── plan load-demo ─────────────────────────

def _demo_counts():
    return {model.__name__: count(model)
            for model in (Organisation, User, Plan, PlanTask, ProgressUpdate, TaskRequest, AuditEntry)}


def test_load_demo_twice_adds_nothing_the_second_time(runner):
    first = assert_ok(cli(runner, "plan", "load-demo"))
    assert "新增任务" in first
    from tracker.services.demo import DEMO_PASSWORD, DEMO_USERS
    assert DEMO_PASSWORD in first
    assert all(username in first for username, *_ in DEMO_USERS)
    after_first = _demo_counts()
    assert after_first["PlanTask"] >= 15 + 10 and after_first["User"] == len(DEMO_USERS)

    second = assert_ok(cli(runner, "plan", "load-demo", "--quiet"))
    assert "已存在" in second and "新增任务" not in second
    assert _demo_counts() == after_first


def test_load_demo_completes_a_partial_install(runner, world):
    """With organisations and some users already there (a real install), the demo fills in the rest."""
    before = _demo_counts()
    assert_ok(cli(runner, "plan", "load-demo", "--quiet"))
    after = _demo_counts()
    # 旌德县, 云乐镇, 白地镇 are reused; only the demo's third township, 三溪镇, is new.
    assert after["Organisation"] == before["Organisation"] + 1
    assert after["PlanTask"] > before["PlanTask"]
    assert user("sifa").org.full_name == "旌德县/云乐镇"
    # The demo `office` already existed (from the test world) and keeps its password.
    assert users.authenticate("office", PASSWORD).username == "office"


# ───────────────────────── the real command in a subprocess ─────────────────────────

def test_real_command_refuses_unknown_org_without_traceback(app, services, tmp_path):
    """`flask --app wsgi users create …` as typed in a shell: exit 1, one Chinese line, no traceback."""
    before = count(User)
    env = {**os.environ, "DATABASE_URL": services["database_url"], "REDIS_URL": os.environ["REDIS_URL"],
           "INSTANCE_DIR": str(tmp_path / "instance"), "UPLOAD_DIR": str(tmp_path / "uploads")}
    python = ROOT / ".venv" / "bin" / "python"
    completed = subprocess.run(
        [str(python if python.exists() else sys.executable), "-m", "flask", "--app", "wsgi", "users", "create", "x",
         "--org", "不存在", "--role", "cadre", "--name", "x", "--password", "Xinren-2026"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    both = completed.stdout + completed.stderr
    assert completed.returncode == 1, both
    assert "Traceback" not in both
    assert "找不到单位“不存在”" in completed.stderr
    error_lines = [line for line in completed.stderr.splitlines() if CJK.search(line)]
    assert len(error_lines) == 1 and error_lines[0].startswith("错误"), both
    db.session.rollback()
    assert count(User) == before and user("x") is None

