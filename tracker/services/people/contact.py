"""A user's contact details (e-mail, phone): the one rule for them, and their edits (issue 18.20)."""
import re

from tracker.extensions import db
from tracker.models import User
from tracker.services import audit
from tracker.services.errors import Conflict, check_fields

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_RE = re.compile(r"^[0-9+\- ]{5,30}$")
EMAIL_MAX = 200


def clean_contact(errors: dict, email, phone) -> tuple[str | None, str | None]:
    """The e-mail and phone as stored (trimmed; empty is none), with a Chinese message per bad field in `errors`."""
    email = email.strip() if isinstance(email, str) else email
    phone = phone.strip() if isinstance(phone, str) else phone
    if email and not (isinstance(email, str) and len(email) <= EMAIL_MAX and EMAIL_RE.match(email)
                      and email.isprintable()):
        errors["email"] = "邮箱格式不正确"
    if phone and not (isinstance(phone, str) and PHONE_RE.match(phone)):
        errors["phone"] = "电话号码格式不正确"
    return email or None, phone or None


def update_contact(user: User, email, phone, *, actor: User | None, seen: tuple | None = None) -> bool:
    """Set the user's e-mail and phone; False when nothing changed.

    `seen` is the (e-mail, phone) the form showed: if someone changed them since, the edit is refused rather than
    silently overwriting theirs (the user table has no version column, and a logout must not conflict with it).
    """
    errors: dict = {}
    email, phone = clean_contact(errors, email, phone)
    check_fields(errors, next(iter(errors.values()), ""))
    if seen is not None and tuple(v or None for v in seen) != (user.email, user.phone):
        raise Conflict("联系方式已被他人修改,请刷新后重试", {"email": "联系方式已被他人修改,请刷新后重试"})
    changes = {field: (before, after) for field, before, after in
               (("email", user.email, email), ("phone", user.phone, phone)) if before != after}
    if not changes:
        return False
    user.email, user.phone = email, phone
    db.session.flush()
    audit.record(actor, "user.contact", obj=user, org_id=user.org_id, changes=changes)
    return True
