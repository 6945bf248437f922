"""Forms of the account page."""
from wtforms import HiddenField, PasswordField, StringField

from tracker.web import ZhForm


class OwnPasswordForm(ZhForm):
    current = PasswordField("当前密码", render_kw={"autocomplete": "current-password"})
    new = PasswordField("新密码", render_kw={"autocomplete": "new-password"})
    confirm = PasswordField("再次输入新密码", render_kw={"autocomplete": "new-password"})


class ContactForm(ZhForm):
    """E-mail and phone; the hidden pair is what the form showed, so a concurrent edit is noticed."""

    email = StringField("邮箱", render_kw={"type": "email", "maxlength": 200, "autocomplete": "email"})
    phone = StringField("电话", render_kw={"type": "tel", "maxlength": 30, "autocomplete": "tel"})
    seen_email = HiddenField()
    seen_phone = HiddenField()


def contact_form(user, prefix: str, formdata=None) -> ContactForm:
    """The contact form filled with the user's details (formdata=None) or with what was posted."""
    if formdata is None:
        return ContactForm(formdata=None, prefix=prefix, email=user.email or "", phone=user.phone or "",
                           seen_email=user.email or "", seen_phone=user.phone or "")
    return ContactForm(prefix=prefix)
