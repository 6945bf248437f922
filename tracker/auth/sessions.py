"""Web sessions: a fresh session at login, and an end to sessions left idle (issue 18.7)."""
import time

from flask import Flask, current_app, flash, g, request, session
from flask_login import login_user

from tracker.models import User

SEEN_KEY = "_seen_at"
SEEN_STEP_SECONDS = 60  # the cookie is rewritten at most once a minute, not on every page
LOGIN_KEYS = ("_user_id", "_fresh", "_id", SEEN_KEY)


def start(user: User, remember: bool) -> None:
    """Sign in on an emptied session, so the CSRF secret and anything set before login are new."""
    session.clear()
    g.pop("csrf_token", None)  # Flask-WTF keeps this request's signed token there
    login_user(user, remember=remember)
    session[SEEN_KEY] = int(time.time())


def register(app: Flask) -> None:
    """End sessions unused for SESSION_IDLE_MINUTES and note each signed-in request's time."""

    @app.before_request
    def end_idle_session():
        if "_user_id" not in session:
            return
        seen = session.get(SEEN_KEY)
        limit = current_app.config["SESSION_IDLE_MINUTES"] * 60
        if isinstance(seen, int) and 0 <= time.time() - seen <= limit:
            return
        # The session ends; a 记住我 cookie, which the user chose and which the epoch still checks, may sign in again.
        for key in LOGIN_KEYS + ("csrf_token",):
            session.pop(key, None)
        g.pop("_login_user", None)
        g.pop("csrf_token", None)
        if current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") not in request.cookies:
            flash("长时间未操作,已自动退出,请重新登录。", "info")

    @app.after_request
    def note_activity(response):
        if "_user_id" in session:
            seen = session.get(SEEN_KEY)
            now = int(time.time())
            if not isinstance(seen, int) or now - seen >= SEEN_STEP_SECONDS:
                session[SEEN_KEY] = now
        return response
