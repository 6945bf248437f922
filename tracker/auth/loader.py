"""Flask-Login's user loader: the session id carries an epoch, so a changed password ends old sessions."""
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracker.extensions import db
from tracker.models import User
from tracker.services.reminders import inbox


def load_user(session_id: str):
    user_id, _, epoch = (session_id or "").partition(":")
    if not user_id.isdecimal() or not epoch.isdecimal():
        return None
    # Every page asks which organisations the user sees and shows the notice badge: one statement reads the
    # user with the organisation and the badge (a third of the lightest page's statements).
    row = db.session.execute(select(User, *inbox.badge_columns(int(user_id))).options(joinedload(User.org))
                             .where(User.id == int(user_id))).first()
    if row is None or row[0].session_epoch != int(epoch) or not row[0].is_active_account:
        return None
    inbox.keep_badge(*row)
    return row[0]
