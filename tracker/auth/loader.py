"""Flask-Login's user loader: the session id carries an epoch, so a changed password ends old sessions."""
from sqlalchemy.orm import joinedload

from tracker.extensions import db
from tracker.models import User


def load_user(session_id: str):
    user_id, _, epoch = (session_id or "").partition(":")
    if not user_id.isdecimal() or not epoch.isdecimal():
        return None
    # Every page asks which organisations the user sees: load the organisation with the user.
    user = db.session.get(User, int(user_id), options=[joinedload(User.org)])
    if user is None or user.session_epoch != int(epoch) or not user.is_active_account:
        return None
    return user
