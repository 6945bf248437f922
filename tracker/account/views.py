"""我的账号: every user keeps their own contact details and changes their own password (the current one first)."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from tracker.account.forms import OwnPasswordForm, contact_form
from tracker.auth import sessions
from tracker.security import client_address
from tracker.services.people import contact, throttle, users
from tracker.web import FAILED, perform

bp = Blueprint("account", __name__, url_prefix="/account")


def _render(status=200, **given):
    forms = {"password": OwnPasswordForm(formdata=None, prefix="pw"),
             "contact": contact_form(current_user, "c")}
    forms.update(given)
    return render_template("account/index.html", forms=forms), status


@bp.route("/")
@login_required
def index():
    return _render()


@bp.route("/password", methods=["POST"])
@login_required
def password():
    form = OwnPasswordForm(prefix="pw")
    user = current_user._get_current_object()
    if form.validate_on_submit():
        # A stolen session must not become a way round the login's throttle to guess the password.
        refusal = throttle.refusal_for(user.username, client_address())
        if refusal is not None:
            form.current.errors.append(refusal.message)
            return _render(429, password=form)
        done = perform(form, users.change_own_password, user, form.current.data, form.new.data, form.confirm.data)
        if done is FAILED and "当前密码不正确" in form.current.errors:
            throttle.count_failure(user.username, client_address())
        if done is not FAILED:
            # The change ended every session of the user, this one too: sign this browser in again.
            sessions.start(user, remember=False)
            flash("密码已修改。其他设备上的登录和 API 令牌已失效。", "success")
            return redirect(url_for("account.index"))
    return _render(password=form)


@bp.route("/contact", methods=["POST"])
@login_required
def edit_contact():
    form = contact_form(current_user, "c", formdata=True)
    user = current_user._get_current_object()
    if form.validate_on_submit():
        changed = perform(form, contact.update_contact, user, form.email.data, form.phone.data, actor=user,
                          seen=(form.seen_email.data, form.seen_phone.data))
        if changed is not FAILED:
            flash("联系方式已保存。" if changed else "联系方式没有变化。", "success")
            return redirect(url_for("account.index"))
    return _render(contact=form)
