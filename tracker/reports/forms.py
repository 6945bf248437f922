"""Forms of the report pages: validation only, the services decide."""
from wtforms import (
    BooleanField,
    DecimalField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from tracker.services.reporting.extract import TEXT_MAX
from tracker.web import ZhForm


class ActionForm(ZhForm):
    """A button that changes something: CSRF only."""


class ReturnForm(ZhForm):
    comment = TextAreaField("退回意见", validators=[DataRequired("请填写退回意见"), Length(max=1000)])


class SectionForm(ZhForm):
    text = TextAreaField("内容", validators=[DataRequired("内容不能为空"), Length(max=50_000)])
    base_version = HiddenField()


class SummaryForm(ZhForm):
    """A task's 报告摘要 (left empty: the task's latest note is used)."""

    text = TextAreaField("报告摘要", validators=[Length(max=1000, message="不能超过1000字")])
    base_generation = HiddenField()


class CauseForm(ZhForm):
    """A shortcoming's 原因: one of the suggestions or the committee's own words."""

    choice = RadioField("原因", validate_choice=False)
    text = TextAreaField("自行填写", validators=[Length(max=300, message="不能超过300字")])
    base_generation = HiddenField()


class BaselineFigureForm(ZhForm):
    name = StringField("数据名称", validators=[DataRequired("请填写数据名称"), Length(max=100)])
    value = DecimalField("数值", places=None, validators=[InputRequired("请填写数值"), NumberRange(min=0)])
    unit = StringField("单位", validators=[DataRequired("请填写单位(如 件、次、人)"), Length(max=20)])
    is_approximate = BooleanField("“余”(约数,下限)")
    report_section = IntegerField("报告小节(1–10,可不填)", validators=[Optional(), NumberRange(1, 10)])


class ExtractForm(ZhForm):
    text = TextAreaField("上年报告文本", validators=[DataRequired("请粘贴上年报告的文字"),
                                                 Length(max=TEXT_MAX, message=f"不能超过{TEXT_MAX}字")])


class CandidateForm(ZhForm):
    """One extracted figure in the review form (the outer form carries the CSRF token)."""

    class Meta:
        csrf = False

    keep = BooleanField("保存")
    name = StringField("名称", validators=[Length(max=100)])
    value = StringField("数值", validators=[Length(max=20)])
    unit = StringField("单位", validators=[Length(max=20)])
    is_approximate = BooleanField("余")
    is_stock = BooleanField("现有")  # a standing total (现有网格员44人), compared only with a standing total
    report_section = StringField("小节", validators=[Length(max=2)])
    # What last year's figure counted where the text narrows it (仅计行政执法队伍培训): unlike scopes are not compared.
    scope = StringField("统计口径", validators=[Length(max=500, message="统计口径不能超过500字")])
    source = HiddenField()


class ReviewForm(ZhForm):
    rows = FieldList(FormField(CandidateForm), min_entries=0, max_entries=300)


class CatalogueForm(ZhForm):
    name = StringField("数据名称", validators=[DataRequired("请填写数据名称"), Length(max=100)])
    unit = StringField("单位", validators=[DataRequired("请填写单位(如 件、次、人)"), Length(max=20)])
    description = StringField("统计口径(统计什么)", validators=[Length(max=500)])
    report_section = IntegerField("报告小节(可不填)", validators=[Optional(), NumberRange(1, 10)])


class TemplateForm(ZhForm):
    addressee = StringField("主送机关", validators=[DataRequired("请填写主送机关"), Length(max=100)])
    parts = TextAreaField("三个部分的标题(每行一个)", validators=[DataRequired("请填写三个部分的标题")])
    sections = TextAreaField("第一部分的小节标题(每行一个,按顺序)", validators=[DataRequired("请填写小节标题")])
