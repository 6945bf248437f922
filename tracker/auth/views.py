"""Login and logout pages."""
from urllib.parse import urlparse

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from tracker.auth.forms import LoginForm
from tracker.extensions import limiter
from tracker.security import login_key, login_limit
from tracker.services.errors import NotAuthenticated
from tracker.services.people.users import authenticate

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
@limiter.limit(login_limit, key_func=login_key, methods=["POST"],
               deduct_when=lambda response: response.status_code == 200)  # the form came back: a failure
def login():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = authenticate(form.username.data.strip(), form.password.data)
        except NotAuthenticated as exc:
            form.password.errors.append(exc.message)
        else:
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next"), user))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    flash("已退出登录。", "info")
    return redirect(url_for("auth.login"))
