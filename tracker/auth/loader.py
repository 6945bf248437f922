"""Flask-Login's user loader: the session id carries an epoch, so a changed password ends old sessions."""
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracker.extensions import db
from tracker.models import User
from tracker.services import counting
from tracker.services.reminders import inbox


def load_user(session_id: str):
    user_id, _, epoch = (session_id or "").partition(":")
    if not user_id.isdecimal() or not epoch.isdecimal():
        return None
    # Every page asks which organisations the user sees and shows the notice badge, and the pages kept in Redis
    # ask for the newest task change: one statement reads them all (bench/http_load.py: 3 statements → 1).
    row = db.session.execute(select(User, *inbox.badge_columns(int(user_id)), *counting.newest_change_columns())
                             .options(joinedload(User.org)).where(User.id == int(user_id))).first()
    if row is None:
        return None
    user, unread, finished, newest, last_id = row
    if user.session_epoch != int(epoch) or not user.is_active_account:
        return None
    inbox.keep_badge(user, unread, finished)
    counting.keep_newest_change(newest, last_id)
    return user
