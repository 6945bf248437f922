"""Forms of the task pages: checks of shape only; the services decide what is valid."""
from wtforms import (FieldList, Form, FormField, HiddenField, MultipleFileField, SelectField, SelectMultipleField,
                     StringField, SubmitField, TextAreaField, widgets)
from wtforms.validators import InputRequired, Length, Optional

from tracker.services.report_sections import SECTIONS, section_label
from tracker.services.validation import TEXT_MAX, TITLE_MAX, UNIT_MAX
from tracker.web import ZhForm

DATE = {"type": "date"}
NONE = ("", "(不指定)")


class CheckboxesField(SelectMultipleField):
    """Several people as checkboxes: easier than a multi-select on a phone."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class MetricRow(Form):
    """One figure of an update (普法宣讲 3 次)."""

    name = StringField("数据名称", validators=[Optional(), Length(max=100, message="不能超过100个字")],
                       render_kw={"placeholder": "如:普法宣讲"})
    value = StringField("数值", render_kw={"inputmode": "decimal", "placeholder": "如:3"})
    unit = StringField("单位", validators=[Optional(), Length(max=20, message="不能超过20个字")],
                       render_kw={"placeholder": "如:次"})


class ProgressForm(ZhForm):
    percent = StringField("当前进度(%)", render_kw={"type": "number", "min": 0, "max": 100, "inputmode": "numeric"})
    note = TextAreaField("进展说明", render_kw={"maxlength": TEXT_MAX})
    metrics = FieldList(FormField(MetricRow), label="本次完成的数据(可不填)", min_entries=3, max_entries=20)
    evidence = MultipleFileField("证明材料(照片、PDF、Word、Excel,可多选)")


class CompletionForm(ZhForm):
    note = TextAreaField("办结说明", render_kw={"maxlength": TEXT_MAX})


class ExtensionForm(ZhForm):
    due_date = StringField("申请延至", render_kw=DATE)
    reason = TextAreaField("延期理由", render_kw={"maxlength": TEXT_MAX})


class ReviewForm(ZhForm):
    comment = TextAreaField("审核意见(退回时必填)", render_kw={"maxlength": TEXT_MAX})
    approve = SubmitField("同意")
    reject = SubmitField("退回/不同意")


class CancelForm(ZhForm):
    reason = TextAreaField("取消原因", render_kw={"maxlength": TEXT_MAX})


class TaskForm(ZhForm):
    """Create or edit a task (the committee)."""

    title = StringField("任务名称", render_kw={"maxlength": TITLE_MAX})
    # The selects leave checking to the task services, so every field's message shows at once.
    theme = SelectField("主题", validate_choice=False)
    report_section = SelectField("报告板块", validate_choice=False,
                                 choices=[(str(i), section_label(i)) for i in range(1, len(SECTIONS) + 1)])
    description = TextAreaField("任务描述", render_kw={"maxlength": TEXT_MAX})
    owner = SelectField("责任人", default="", validate_choice=False)
    co_owners = CheckboxesField("协办人", validate_choice=False)
    lead = SelectField("牵头领导", default="", validate_choice=False)
    unit = StringField("责任单位", render_kw={"maxlength": UNIT_MAX, "placeholder": "如:司法所、刘村村"})
    start_date = StringField("开始日期", render_kw=DATE)
    due_date = StringField("完成时限", render_kw=DATE)
    version = HiddenField()

    def people(self, colleagues: list[tuple[str, str, str]]):
        """Offer the organisation's active users; only leaders and the committee may lead."""
        self.owner.choices = [NONE] + [(u, f"{n}({u})") for u, n, _ in colleagues]
        self.co_owners.choices = [(u, n) for u, n, _ in colleagues]
        self.lead.choices = [NONE] + [(u, f"{n}({u})") for u, n, r in colleagues if r in ("leader", "committee")]
        return self

    def data_for_service(self) -> dict:
        """The fields as the task services take them."""
        return {"title": self.title.data, "theme": self.theme.data, "description": self.description.data or "",
                "report_section": int(self.report_section.data) if (self.report_section.data or "").isdecimal()
                else self.report_section.data, "owner": self.owner.data or None,
                "co_owners": list(self.co_owners.data or []), "lead": self.lead.data or None,
                "unit": self.unit.data or "", "start_date": self.start_date.data or None,
                "due_date": self.due_date.data or None}


class AssignForm(ZhForm):
    """Assign (交办) or reassign: owner, co-owners, lead and due date."""

    owner = SelectField("责任人", default="", validate_choice=False)
    co_owners = CheckboxesField("协办人", validate_choice=False)
    lead = SelectField("牵头领导", default="", validate_choice=False)
    due_date = StringField("完成时限", render_kw=DATE)
    version = HiddenField()
    people = TaskForm.people

    def data_for_service(self) -> dict:
        return {"owner": self.owner.data or None, "co_owners": list(self.co_owners.data or []),
                "lead": self.lead.data or None, "due_date": self.due_date.data or None}


class SplitRow(Form):
    title = StringField("子任务名称", render_kw={"maxlength": TITLE_MAX})
    owner = SelectField("责任人", default="", validate_choice=False)
    due_date = StringField("完成时限", render_kw=DATE)


class SplitForm(ZhForm):
    rows = FieldList(FormField(SplitRow), min_entries=5, max_entries=10)


class BulkAssignForm(ZhForm):
    """Several tasks to one owner, lead and due date (批量交办)."""

    task_ids = SelectMultipleField("任务", coerce=int, validate_choice=False)
    owner = SelectField("责任人", default="", validate_choice=False)
    lead = SelectField("牵头领导", default="", validate_choice=False)
    due_date = StringField("完成时限", render_kw=DATE, validators=[InputRequired("请填写完成时限")])

    def people(self, colleagues: list[tuple[str, str, str]]):
        self.owner.choices = [NONE] + [(u, f"{n}({u})") for u, n, _ in colleagues]
        self.lead.choices = [("", "(不变)")] + [(u, f"{n}({u})") for u, n, r in colleagues
                                               if r in ("leader", "committee")]
        return self
