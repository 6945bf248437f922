"""Forms of user management."""
from wtforms import PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import Length, Optional

from tracker.models import ROLE_LABELS
from tracker.web import QueryForm, ZhForm

ROLE_CHOICES = [SelectChoice(k, v) for k, v in ROLE_LABELS.items()]


class UserFilterForm(QueryForm):
    q = StringField("搜索", validators=[Optional(), Length(max=100, message="关键词不能超过100个字")],
                    render_kw={"placeholder": "姓名或用户名"})
    role = SelectField("角色", default="", choices=[SelectChoice("", "全部")] + ROLE_CHOICES)
    active = SelectField("状态", default="", choices=[SelectChoice("", "全部"), SelectChoice("yes", "在岗"),
                                                    SelectChoice("no", "已停用")])
    sort = SelectField("排序", default="name")

    @property
    def is_filtered(self) -> bool:
        return bool(self.q.data or self.role.data or self.active.data)


class NewUserForm(ZhForm):
    username = StringField("用户名", render_kw={"autocomplete": "off", "maxlength": 64})
    name = StringField("姓名", render_kw={"maxlength": 100})
    role = SelectField("角色", choices=ROLE_CHOICES, default="cadre")
    unit = StringField("所在单位", render_kw={"maxlength": 100, "placeholder": "如:云乐村、司法所"})
    post = StringField("职务", render_kw={"maxlength": 100, "placeholder": "如:村支书、所长"})
    phone = StringField("电话", render_kw={"type": "tel", "maxlength": 30})
    email = StringField("邮箱", render_kw={"type": "email", "maxlength": 200})
    password = PasswordField("初始密码", render_kw={"autocomplete": "new-password"})


class ProfileForm(ZhForm):
    unit = StringField("所在单位", render_kw={"maxlength": 100})
    post = StringField("职务", render_kw={"maxlength": 100})


class RoleForm(ZhForm):
    role = SelectField("角色", choices=ROLE_CHOICES)


class PasswordForm(ZhForm):
    password = PasswordField("新密码", render_kw={"autocomplete": "new-password"})


class DeactivateForm(ZhForm):
    handover = SelectField("未办结任务移交给", default="", validate_choice=False)


class SessionsForm(ZhForm):
    """Ending a member's sessions, or lifting their login delay: a button with its CSRF token."""
