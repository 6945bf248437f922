"""Forms of the account page."""
from wtforms import PasswordField

from tracker.web import ZhForm


class OwnPasswordForm(ZhForm):
    current = PasswordField("当前密码", render_kw={"autocomplete": "current-password"})
    new = PasswordField("新密码", render_kw={"autocomplete": "new-password"})
    confirm = PasswordField("再次输入新密码", render_kw={"autocomplete": "new-password"})
