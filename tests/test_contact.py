"""Contact details (issue 18.20): every user edits their own e-mail and phone, the committee anyone's in its
organisation; validated, audited, a concurrent edit noticed."""
import pytest
from sqlalchemy import select

from tests.web_fixtures import login, post
from tracker.extensions import db
from tracker.models import AuditEntry
from tracker.services.people.users import get_user


def _contact(client, path, page, email, phone, seen=("", "")):
    return post(client, path, {"c-email": email, "c-phone": phone, "c-seen_email": seen[0],
                               "c-seen_phone": seen[1]}, page=page)


@pytest.mark.parametrize("username", ["cadre", "leader", "viewer", "office"])
def test_every_user_edits_their_own_contact_details(client, world, username):
    login(client, username)
    response = _contact(client, "/account/contact", "/account/", " wang@yunle.gov.cn ", "0563-8501234")
    assert response.status_code == 302
    db.session.expire_all()
    user = get_user(username)
    assert (user.email, user.phone) == ("wang@yunle.gov.cn", "0563-8501234")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.contact"))
    assert entry.actor_id == user.id and entry.object_id == user.id
    assert "wang@yunle.gov.cn" in str(entry.changes["email"])
    page = client.get("/account/").get_data(as_text=True)
    assert "联系方式已保存" in page and 'value="wang@yunle.gov.cn"' in page


@pytest.mark.parametrize("email, phone, message", [
    ("not-an-email", "", "邮箱格式不正确"), ("a@b", "", "邮箱格式不正确"),
    ("a\u0085b@yunle.gov.cn", "", "邮箱格式不正确"), ("x" * 196 + "@a.cn", "", "邮箱格式不正确"),
    ("", "call me", "电话号码格式不正确"),
])
def test_bad_contact_details_are_refused_and_nothing_is_saved(client, world, email, phone, message):
    login(client, "cadre")
    response = _contact(client, "/account/contact", "/account/", email, phone)
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    db.session.expire_all()
    assert get_user("cadre").email is None
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.contact")) is None


def test_clearing_the_email_is_allowed(client, world):
    user = get_user("cadre")
    user.email = "old@yunle.gov.cn"
    db.session.commit()
    login(client, "cadre")
    assert _contact(client, "/account/contact", "/account/", "", "", seen=("old@yunle.gov.cn", "")).status_code == 302
    db.session.expire_all()
    assert get_user("cadre").email is None


def test_the_committee_edits_a_members_contact_details(client, world):
    login(client, "office")
    member = get_user("cadre2")
    page = f"/users/{member.id}"
    assert _contact(client, f"{page}/contact", page, "li@yunle.gov.cn", "13800000000").status_code == 302
    db.session.expire_all()
    assert get_user("cadre2").email == "li@yunle.gov.cn"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.contact"))
    assert entry.actor_id == get_user("office").id and entry.object_id == member.id


def test_an_edit_made_meanwhile_is_not_overwritten(client, world):
    login(client, "office")
    member = get_user("cadre2")
    page = f"/users/{member.id}"
    member.email = "own@yunle.gov.cn"  # the member saved theirs after the committee opened the page
    db.session.commit()
    response = _contact(client, f"{page}/contact", page, "li@yunle.gov.cn", "", seen=("", ""))
    assert "联系方式已被他人修改" in response.get_data(as_text=True)
    db.session.expire_all()
    assert get_user("cadre2").email == "own@yunle.gov.cn"


def test_another_organisations_committee_cannot_edit(client, world):
    login(client, "other_office")
    member = get_user("cadre2")
    assert _contact(client, f"/users/{member.id}/contact", "/users/", "x@a.cn", "").status_code == 404
    db.session.expire_all()
    assert get_user("cadre2").email is None


def test_the_command_line_sets_contact_details(runner, world):
    result = runner.invoke(args=["users", "set-contact", "cadre", "--email", "c@yunle.gov.cn"])
    assert result.exit_code == 0 and "已更新" in result.output
    db.session.expire_all()
    assert get_user("cadre").email == "c@yunle.gov.cn"
    result = runner.invoke(args=["users", "set-contact", "cadre", "--email", "bad"])
    assert result.exit_code == 1 and "邮箱格式不正确" in result.output
