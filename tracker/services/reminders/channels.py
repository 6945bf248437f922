"""Which channels reach whom: the organisation's robots and email switch, each person's choice."""
from flask import current_app
from sqlalchemy import and_, exists, select

from tracker.extensions import db
from tracker.models import OrgChannels, User, UserChannels
from tracker.models.reminders import CHANNELS


def email_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def reaches(channel: str, user_table=User):
    """A condition on a user row: this channel can reach them."""
    opted_out = exists().where(UserChannels.user_id == user_table.id,
                               getattr(UserChannels, f"is_{channel}_on").is_(False))
    if channel == "email":
        org_off = exists().where(OrgChannels.org_id == user_table.org_id, OrgChannels.is_email_on.is_(False))
        return and_(user_table.email.is_not(None), user_table.email != "", ~opted_out, ~org_off)
    hook = OrgChannels.wecom_webhook if channel == "wecom" else OrgChannels.dingtalk_webhook
    return and_(exists().where(OrgChannels.org_id == user_table.org_id, hook != ""), ~opted_out)


def active_channels() -> list[str]:
    """Channels worth a statement at all: email only when a mail server is configured."""
    return [c for c in CHANNELS if c != "email" or email_configured()]


def channels_for(user_ids: list[int]) -> dict[int, list[str]]:
    """The channels that reach each of these users, in one statement."""
    found: dict[int, list[str]] = {uid: [] for uid in user_ids}
    wanted = active_channels()
    if not user_ids or not wanted:
        return found
    columns = [reaches(c).label(c) for c in wanted]
    for row in db.session.execute(select(User.id, *columns).where(User.id.in_(user_ids))):
        found[row[0]] = [c for c, ok in zip(wanted, row[1:]) if ok]
    return found
