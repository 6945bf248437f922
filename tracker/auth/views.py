"""Login and logout pages."""
from urllib.parse import urlparse

from flask import Blueprint, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, logout_user

from tracker.auth import sessions
from tracker.auth.forms import LoginForm
from tracker.security import remember_device, sign_in
from tracker.services.errors import NotAuthenticated, TooManyAttempts
from tracker.services.people.passwords import take_feed_rotation_notice
from tracker.services.people.users import end_sessions
from tracker.web import perform

bp = Blueprint("auth", __name__)


# Where each role starts its day (issue 16): a leader at the requests waiting and the tasks they lead, the
# committee and the county at the dashboard (the county's lists its townships), a cadre at 我的任务.
HOMES = {"leader": "review.index", "committee": "dashboard.index", "viewer": "dashboard.index"}


def home_for(user) -> str:
    """The page a user lands on after signing in."""
    endpoint = HOMES.get(user.role, "home.index")
    return url_for(endpoint if endpoint in current_app.view_functions else "home.index")


def _safe_next(target: str | None, user) -> str:
    """Only a local path, so the login page cannot send people elsewhere; else the user's own start page."""
    if target and target.startswith("/") and not target.startswith("//") and not urlparse(target).netloc:
        return target
    return home_for(user)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
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
            return remember_device(redirect(_safe_next(request.args.get("next"), user)), user.username)
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        # The cookies are signed, not stored: only a new epoch makes a copied one useless.
        perform(None, end_sessions, current_user)
    logout_user()
    flash("已退出登录。", "info")
    return redirect(url_for("auth.login"))
