"""Forms of the 督办单 pages: validation only."""
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from tracker.models.supervision import SUPERVISION_LABELS
from tracker.services.people.orgs import SHORT_NAME_MAX
from tracker.services.supervision.rules import DAYS_MAX, DAYS_MIN
from tracker.services.supervision.verbs import MESSAGE_MAX, NOTE_MAX
from tracker.web import QueryForm


class IssueForm(FlaskForm):
    message = TextAreaField("督办内容", validators=[InputRequired("请填写督办内容"),
                                                   Length(max=MESSAGE_MAX, message=f"不能超过{MESSAGE_MAX}个字")])
    respond_within_days = IntegerField("答复时限(工作日)", default=5, validators=[
        InputRequired("请填写答复时限"),
        NumberRange(DAYS_MIN, DAYS_MAX, f"须在{DAYS_MIN}到{DAYS_MAX}个工作日之间")])


class AnswerForm(FlaskForm):
    note = TextAreaField("答复内容", validators=[InputRequired("请填写答复内容"),
                                                Length(max=NOTE_MAX, message=f"不能超过{NOTE_MAX}个字")])


class ListFilterForm(QueryForm):
    status = SelectField("状态", default="", choices=[SelectChoice("", "全部")]
                         + [SelectChoice(k, v) for k, v in SUPERVISION_LABELS.items()])

    @property
    def is_filtered(self) -> bool:
        return bool(self.status.data)


class ShortNameForm(FlaskForm):
    short_name = StringField("本单位发文简称", validators=[
        Optional(), Length(max=SHORT_NAME_MAX, message=f"不能超过{SHORT_NAME_MAX}个字")])
