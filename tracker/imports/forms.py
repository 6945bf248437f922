"""Forms of the import pages: the upload, and the review of candidates or table rows."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, NumberRange

from tracker.services.plans.sections import NUMERALS, SECTIONS
from tracker.services.validation import YEAR_MAX, YEAR_MESSAGE, YEAR_MIN

SECTION_CHOICES = [SelectChoice(i, f"({NUMERALS[i - 1]}){name[:18]}…") for i, name in enumerate(SECTIONS, 1)]


class UploadForm(FlaskForm):
    file = FileField("报告或任务分解表", validators=[FileRequired("请选择要导入的文件")])
    year = IntegerField("计划年度", validators=[InputRequired("请填写年度"),
                                            NumberRange(YEAR_MIN, YEAR_MAX, YEAR_MESSAGE)])


class ThemeForm(Form):
    key = HiddenField()
    title = StringField("主题名称")


class CandidateForm(Form):
    id = HiddenField()
    keep = BooleanField("采用")
    theme = SelectField("主题")
    title = StringField("任务名称")
    report_section = SelectField("报告板块", coerce=int, choices=SECTION_CHOICES, validate_choice=False)
    description = TextAreaField("任务描述")


class ReviewForm(FlaskForm):
    themes = FieldList(FormField(ThemeForm))
    candidates = FieldList(FormField(CandidateForm))


class RowForm(Form):
    number = HiddenField()
    theme = StringField("主题")
    title = StringField("工作任务")
    owner = StringField("责任人")
    lead = StringField("牵头领导")
    co_owners = StringField("协办人")
    unit = StringField("责任单位")
    start = StringField("开始时间")
    due = StringField("完成时限")
    section = StringField("报告板块")


class TableForm(FlaskForm):
    rows = FieldList(FormField(RowForm))


class ConfirmForm(FlaskForm):
    """A button that only needs CSRF (discard)."""
