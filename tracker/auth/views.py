"""Login and logout pages."""
from urllib.parse import urlparse

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, logout_user

from tracker.auth import sessions
from tracker.auth.forms import LoginForm
from tracker.security import remember_device, sign_in
from tracker.services.errors import NotAuthenticated, TooManyAttempts
from tracker.services.people.passwords import take_feed_rotation_notice
from tracker.services.people.users import end_sessions
from tracker.web import perform

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only a local path, so the login page cannot send people elsewhere."""
    if target and target.startswith("/") and not target.startswith("//") and not urlparse(target).netloc:
        return target
    return url_for("home.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = sign_in(form.username.data.strip(), form.password.data)
        except TooManyAttempts as exc:
            form.password.errors.append(exc.message)
            response = make_response(render_template("auth/login.html", form=form), 429)
            response.headers["Retry-After"] = str(exc.retry_after)
            return response
        except NotAuthenticated as exc:
            form.password.errors.append(exc.message)
        else:
            sessions.start(user, remember=form.remember.data)
            notice = perform(None, take_feed_rotation_notice, user)
            if notice:
                flash(notice, "info")
            return remember_device(redirect(_safe_next(request.args.get("next"))), user.username)
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        # The cookies are signed, not stored: only a new epoch makes a copied one useless.
        perform(None, end_sessions, current_user)
    logout_user()
    flash("已退出登录。", "info")
    return redirect(url_for("auth.login"))
