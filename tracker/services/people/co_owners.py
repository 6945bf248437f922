"""协办人 (co-owners) given by username, checked the same way for plan tasks and recurring tasks."""
import re

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import User

CO_OWNERS_MAX = 50  # as many as the API's task schema accepts
# A form's text field may separate usernames with commas or semicolons (either width), 、 or spaces.
_SEPARATORS = re.compile(r"[\s,\uff0c、;\uff1b]+")


def clean_co_owners(errors: dict, usernames, org_id: int) -> list[User]:
    """Active users of the organisation, none twice, from a list of usernames or one separated text."""
    if usernames is None or usernames == "":
        return []
    if isinstance(usernames, str):
        usernames = _SEPARATORS.split(usernames)
    if not isinstance(usernames, list) or not all(isinstance(n, str) for n in usernames):
        errors["co_owners"] = "协办人须为用户名列表"
        return []
    names = [n for n in usernames if n]
    if len(names) > CO_OWNERS_MAX:
        errors["co_owners"] = f"协办人最多{CO_OWNERS_MAX}人"
        return []
    if len(set(names)) != len(names):
        errors["co_owners"] = "协办人有重复"
        return []
    found = {u.username: u for u in db.session.scalars(select(User).where(User.username.in_(names)))} \
        if names else {}
    strangers = [n for n in names if n not in found or found[n].org_id != org_id]
    stopped = [n for n in names if n not in strangers and not found[n].is_active_account]
    if strangers:
        errors["co_owners"] = f"协办人“{'、'.join(strangers[:5])[:200]}”不是本单位的用户"
    elif stopped:
        errors["co_owners"] = f"协办人“{'、'.join(stopped[:5])[:200]}”已停用"
    else:
        return [found[n] for n in names]
    return []
