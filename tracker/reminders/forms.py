"""Forms of the notification pages: validation only."""
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from tracker.models.reminders import KIND_LABELS, SCHEDULED_KINDS
from tracker.services.reminders.rules import LIMITS
from tracker.services.validation import YEAR_MAX, YEAR_MESSAGE, YEAR_MIN


class ButtonForm(FlaskForm):
    """A POST button: CSRF only."""


def _int(name):
    label, low, high = LIMITS[name]
    return IntegerField(label, validators=[InputRequired(f"请填写{label}"),
                                           NumberRange(low, high, f"须在{low}到{high}之间")])


def _kept_int(name):
    """A threshold added later: left blank (or not sent), the saved value stays."""
    label, low, high = LIMITS[name]
    return IntegerField(label, validators=[Optional(), NumberRange(low, high, f"须在{low}到{high}之间")])


class RulesForm(FlaskForm):
    due_soon_workdays = _int("due_soon_workdays")
    escalate_lead_after = _int("escalate_lead_after")
    escalate_committee_after = _int("escalate_committee_after")
    stalled_days = _int("stalled_days")
    stalled_repeat_days = _int("stalled_repeat_days")
    review_wait_workdays = _int("review_wait_workdays")
    unacknowledged_owner_after = _kept_int("unacknowledged_owner_after")
    unacknowledged_lead_after = _kept_int("unacknowledged_lead_after")
    digest_time = StringField("每日汇总发送时间", validators=[
        InputRequired("请填写发送时间"), Regexp(r"^([01]\d|2[0-3]):[0-5]\d$", message="格式为 HH:MM,如 09:00")])
    disabled_kinds = SelectMultipleField("停用的提醒", choices=[SelectChoice(k, KIND_LABELS[k]) for k in SCHEDULED_KINDS],
                                         option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False))


class ChannelsForm(FlaskForm):
    is_email_on = BooleanField("发送电子邮件")
    wecom_webhook = StringField("企业微信群机器人地址", validators=[Optional(), Length(max=500)])
    dingtalk_webhook = StringField("钉钉群机器人地址", validators=[Optional(), Length(max=500)])
    dingtalk_secret = StringField("钉钉群机器人签名密钥", validators=[Optional(), Length(max=200)])


class MyChannelsForm(FlaskForm):
    is_email_on = BooleanField("电子邮件(需在账号中登记邮箱)")
    is_wecom_on = BooleanField("企业微信群机器人")
    is_dingtalk_on = BooleanField("钉钉群机器人")


class UrgeForm(FlaskForm):
    message = TextAreaField("催办留言(可不填)", validators=[Length(max=500, message="不能超过500个字")])


class OverrideForm(FlaskForm):
    day = DateField("日期", validators=[InputRequired("请选择日期")], format="%Y-%m-%d")
    is_workday = SelectField("这一天", choices=[SelectChoice("off", "放假"), SelectChoice("work", "上班(调休)")])
    note = StringField("说明(如 国庆节、国庆调休)", validators=[Length(max=100, message="不能超过100个字")])


class ConfirmYearForm(FlaskForm):
    year = IntegerField("年份", validators=[InputRequired("请填写年份"), NumberRange(YEAR_MIN, YEAR_MAX, YEAR_MESSAGE)])


class RecurringForm(FlaskForm):
    title = StringField("任务名称", validators=[InputRequired("请填写任务名称"), Length(max=200)])
    theme = SelectField("主题")
    report_section = IntegerField("报告板块(序号)", validators=[InputRequired("请填写报告板块"),
                                                            NumberRange(1, 7, "须在1到7之间")])
    owner = StringField("责任人用户名", validators=[InputRequired("请填写责任人"), Length(max=64)])
    lead = StringField("牵头领导用户名(可不填)", validators=[Length(max=64)])
    co_owners = StringField("协办人用户名(可不填,多个用逗号分隔)", validators=[Length(max=1000)])
    unit = StringField("责任单位", validators=[Length(max=100)])
    frequency = SelectField("周期", choices=[SelectChoice("monthly", "每月"), SelectChoice("quarterly", "每季度")])
    due_workdays = IntegerField("每期第几个工作日完成", validators=[InputRequired("请填写"),
                                                                 NumberRange(1, 40, "须在1到40之间")])
