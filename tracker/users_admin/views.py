"""User management (用户管理) for the committee: list, create, change role, reset password, deactivate."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from tracker.account.forms import contact_form
from tracker.services.errors import NotFound
from tracker.services.people import admin as user_admin
from tracker.services.people import throttle
from tracker.services.tasks.lists import led_open_count
from tracker.users_admin.forms import (DeactivateForm, NewUserForm, PasswordForm, ProfileForm, RoleForm, SessionsForm,
                                       UserFilterForm)
from tracker.web import FAILED, page_args, pager, perform, roles_required

bp = Blueprint("users_admin", __name__, url_prefix="/users")


@bp.route("/")
@roles_required("committee")
def index():
    form = UserFilterForm()
    form.sort.choices = list(user_admin.USER_SORTS.items())
    form.validate()

    def ok(field):
        return None if field.errors or not field.data else field.data

    filters = user_admin.UserFilters(q=ok(form.q), role=ok(form.role), active=ok(form.active),
                                     sort=ok(form.sort) or "name")
    page, per_page = page_args()
    rows, total = user_admin.user_page(current_user, filters, page, per_page)
    return render_template("users_admin/index.html", form=form, pager=pager(rows, total, page, per_page))


@bp.route("/new", methods=["GET", "POST"])
@roles_required("committee")
def new():
    form = NewUserForm()
    if form.validate_on_submit():
        user = perform(form, user_admin.create_member, current_user, username=(form.username.data or "").strip(),
                       name=form.name.data, role=form.role.data, password=form.password.data,
                       phone=(form.phone.data or "").strip() or None,
                       email=(form.email.data or "").strip() or None,
                       unit=form.unit.data or "", post=form.post.data or "")
        if user is not FAILED:
            flash(f"已创建用户 {user.username}。请把初始密码当面或电话告知本人。", "success")
            return redirect(url_for("users_admin.detail", user_id=user.id))
    return render_template("users_admin/new.html", form=form)


def _member(user_id):
    try:
        return user_admin.load_managed_user(current_user, user_id)
    except NotFound:
        abort(404)


def _render(user, status=200, **given):
    forms = {"role": RoleForm(formdata=None, prefix="role", role=user.role),
             "profile": ProfileForm(formdata=None, prefix="pf", unit=user.unit or "", post=user.post or ""),
             "password": PasswordForm(formdata=None, prefix="pw"),
             "deactivate": DeactivateForm(formdata=None, prefix="off"),
             "sessions": SessionsForm(formdata=None, prefix="s"),
             "unlock": SessionsForm(formdata=None, prefix="u"),
             "contact": contact_form(user, "c")}
    forms.update(given)
    forms["deactivate"].handover.choices = [("", "(不移交)")] + [
        (u, f"{n}({u})") for u, n, _ in user_admin.colleagues(current_user) if u != user.username]
    return render_template("users_admin/detail.html", user=user, forms=forms, led=led_open_count(user),
                           throttle=throttle.account_state(user.username)), status


@bp.route("/<int:user_id>")
@roles_required("committee")
def detail(user_id):
    return _render(_member(user_id))


@bp.route("/<int:user_id>/role", methods=["POST"])
@roles_required("committee")
def role(user_id):
    user = _member(user_id)
    form = RoleForm(prefix="role")
    if form.validate_on_submit():
        if perform(form, user_admin.change_role, current_user, user, form.role.data) is not FAILED:
            flash("角色已更新。", "success")
            return redirect(url_for("users_admin.detail", user_id=user.id))
    return _render(user, role=form)


@bp.route("/<int:user_id>/profile", methods=["POST"])
@roles_required("committee")
def profile(user_id):
    user = _member(user_id)
    form = ProfileForm(prefix="pf")
    if form.validate_on_submit():
        if perform(form, user_admin.set_profile, current_user, user, form.unit.data, form.post.data) is not FAILED:
            flash("所在单位和职务已保存。", "success")
            return redirect(url_for("users_admin.detail", user_id=user.id))
    return _render(user, profile=form)


@bp.route("/<int:user_id>/password", methods=["POST"])
@roles_required("committee")
def password(user_id):
    user = _member(user_id)
    form = PasswordForm(prefix="pw")
    if form.validate_on_submit():
        moved = perform(form, user_admin.reset_password, current_user, user, form.password.data)
        if moved is not FAILED:
            feeds = f"其日历订阅地址已更换({moved}个),本人下次登录时会看到提示。" if moved else ""
            flash(f"密码已重置,该用户需用新密码重新登录。{feeds}", "success")
            return redirect(url_for("users_admin.detail", user_id=user.id))
    return _render(user, password=form)


@bp.route("/<int:user_id>/deactivate", methods=["POST"])
@roles_required("committee")
def deactivate(user_id):
    user = _member(user_id)
    form = DeactivateForm(prefix="off")
    if form.validate_on_submit():
        moved = perform(form, user_admin.deactivate_member, current_user, user, form.handover.data or None)
        if moved is not FAILED:
            flash(f"已停用该账号{f',{moved} 项未办结任务已移交' if moved else ''}。", "success")
            return redirect(url_for("users_admin.detail", user_id=user.id))
    return _render(user, deactivate=form)


@bp.route("/<int:user_id>/sessions", methods=["POST"])
@roles_required("committee")
def end_sessions(user_id):
    user = _member(user_id)
    form = SessionsForm(prefix="s")
    if form.validate_on_submit():
        if perform(form, user_admin.end_member_sessions, current_user, user) is not FAILED:
            flash("已结束该用户在所有设备上的登录和 API 令牌。", "success")
            return redirect(url_for("users_admin.detail", user_id=user.id))
    return _render(user, sessions=form)


@bp.route("/<int:user_id>/unlock", methods=["POST"])
@roles_required("committee")
def unlock(user_id):
    user = _member(user_id)
    form = SessionsForm(prefix="u")
    if form.validate_on_submit():
        if perform(form, user_admin.unlock_member, current_user, user) is not FAILED:
            flash("已解除该用户的登录限制,可立即重新登录。", "success")
            return redirect(url_for("users_admin.detail", user_id=user.id))
    return _render(user, unlock=form)


@bp.route("/<int:user_id>/contact", methods=["POST"])
@roles_required("committee")
def contact(user_id):
    user = _member(user_id)
    form = contact_form(user, "c", formdata=True)
    if form.validate_on_submit():
        changed = perform(form, user_admin.edit_member_contact, current_user, user, form.email.data,
                          form.phone.data, seen=(form.seen_email.data, form.seen_phone.data))
        if changed is not FAILED:
            flash("联系方式已保存。" if changed else "联系方式没有变化。", "success")
            return redirect(url_for("users_admin.detail", user_id=user.id))
    return _render(user, contact=form)
