"""我的账号: every user changes their own password (the current one first)."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from tracker.account.forms import OwnPasswordForm
from tracker.auth import sessions
from tracker.services.people import users
from tracker.web import FAILED, perform

bp = Blueprint("account", __name__, url_prefix="/account")


def _render(status=200, **given):
    forms = {"password": OwnPasswordForm(formdata=None, prefix="pw")}
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
        if perform(form, users.change_own_password, user, form.current.data, form.new.data,
                   form.confirm.data) is not FAILED:
            # The change ended every session of the user, this one too: sign this browser in again.
            sessions.start(user, remember=False)
            flash("密码已修改。其他设备上的登录和 API 令牌已失效。", "success")
            return redirect(url_for("account.index"))
    return _render(password=form)
