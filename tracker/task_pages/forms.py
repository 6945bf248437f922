"""Forms of the task pages: checks of shape only; the services decide what is valid."""
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    MultipleFileField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    widgets,
)
from wtforms.utils import unset_value
from wtforms.validators import InputRequired, Length, Optional

from tracker.services.plans.sections import NUMERALS, SECTIONS
from tracker.services.validation import TEXT_MAX, TITLE_MAX, UNIT_MAX, as_int
from tracker.web import ZhForm

DATE = {"type": "date"}
NONE = ("", "(不指定)")


class CheckboxesField(SelectMultipleField):
    """Several people as checkboxes: easier than a multi-select on a phone."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class RowList(FieldList):
    """Form rows whose padding starts empty: WTForms pads by reading the posted data again, which repeats a
    row when the posted row numbers have a gap (figures-0, figures-2) and would count a figure twice."""

    def process(self, formdata, data=unset_value, extra_filters=None):
        wanted, self.min_entries = self.min_entries, 0
        try:
            super().process(formdata, data, extra_filters)
        finally:
            self.min_entries = wanted
        while len(self.entries) < self.min_entries:
            self._add_entry(None)


class FigureRow(Form):
    """One figure of an update picked from the catalogue (普法宣讲(次) 3)."""

    figure = SelectField("数据项", default="", validate_choice=False)
    value = StringField("本次数量", render_kw={"inputmode": "decimal", "placeholder": "如:3"})


class MetricRow(Form):
    """A figure the catalogue lacks, added to it on the spot (新增指标) with this update's number."""

    name = StringField("新增指标名称", validators=[Optional(), Length(max=100, message="不能超过100个字")],
                       render_kw={"placeholder": "如:反诈宣传"})
    unit = StringField("单位", validators=[Optional(), Length(max=20, message="不能超过20个字")],
                       render_kw={"placeholder": "如:场"})
    report_section = SelectField("报告板块", default="", validate_choice=False)
    value = StringField("本次数量", render_kw={"inputmode": "decimal", "placeholder": "如:3"})


def figure_choices(items) -> list[tuple[str, str]]:
    """Catalogue entries as select options: 普法宣讲(次); a stock asks for the standing total (现有网格员(人),填总数)."""
    def label(d) -> str:
        text = f"{d.name}({d.unit})" if d.unit else d.name
        return f"现有{text},填现有总数" if getattr(d, "kind", "flow") == "stock" else text
    return [NONE_FIGURE] + [(str(d.id), label(d)) for d in items]


def section_choices(titles: list[str]) -> list[tuple[str, str]]:
    """(一)深入学习… for each sub-section of the organisation's report template."""
    return [SelectChoice(str(i), f"({NUMERALS[i - 1]}){t}") for i, t in enumerate(titles, 1)]


NONE_FIGURE = ("", "(选择数据项)")


def figure_rows(entries, service: str, form: str, keep, aliases=()) -> tuple[list[dict], dict]:
    """The (figure, value) rows `keep` accepts, as typed, and how the service's row numbers map back to the
    form's: the service counts only the rows it is sent, so `service.1.value` may be `form.3.value`.

    `aliases` are further per-row keys the service may name (a target's name or unit), shown by the select.
    """
    rows, rename = [], {}
    for index, entry in enumerate(entries):
        figure, value = (entry.form.figure.data or "").strip(), (entry.form.value.data or "").strip()
        if keep(figure, value):
            for key in ("figure", "value", *aliases):
                rename[f"{service}.{len(rows)}.{key}"] = f"{form}.{index}.{'value' if key == 'value' else 'figure'}"
            rows.append({"figure": figure, "value": value})
    return rows, rename


def version_number(raw):
    """A posted version as a number; anything else goes to the service as typed (it says what is wrong)."""
    raw = (raw or "").strip()
    return as_int(raw, raw)


class ProgressForm(ZhForm):
    percent = StringField("当前进度(%)", render_kw={"type": "number", "min": 0, "max": 100, "inputmode": "numeric"})
    note = TextAreaField("进展说明", render_kw={"maxlength": TEXT_MAX})
    figures = RowList(FormField(FigureRow), label="本次完成的数据(可不填)", min_entries=5, max_entries=20)
    metrics = RowList(FormField(MetricRow), label="新增指标(数据目录里没有的)", min_entries=2, max_entries=10)
    evidence = MultipleFileField("证明材料(照片、PDF、Word、Excel,可多选)")

    def offer(self, catalogue: list, sections: list[str]):
        """The catalogue in every figure row and the report's sub-sections in every new-figure row."""
        options = figure_choices(catalogue)
        for row in self.figures:
            row.form.figure.choices = options
        for row in self.metrics:
            row.form.report_section.choices = [NONE] + section_choices(sections)
        return self


class TargetRow(Form):
    figure = SelectField("数据项", default="", validate_choice=False)
    value = StringField("目标值(不少于)", render_kw={"inputmode": "decimal", "placeholder": "如:8"})


class TargetsForm(ZhForm):
    """A task's targets (普法宣讲 ≥ 8 次), picked from the catalogue."""

    rows = RowList(FormField(TargetRow), min_entries=5, max_entries=10)
    version = HiddenField()

    def offer(self, choices: list[tuple[str, str]]):
        for row in self.rows:
            row.form.figure.choices = [NONE_FIGURE] + choices
        return self


class CompletionForm(ZhForm):
    # The approved note is the task's paragraph in the annual report (issue 15): say what a good one holds.
    note = TextAreaField("办结情况", render_kw={
        "maxlength": TEXT_MAX,
        "placeholder": "写明做了什么、完成的数据和取得的效果,如:全年开展专题学法6次,学法记录已归档……"
                       "审核通过后,这段文字将作为年度报告中本任务的段落。"})


class CorrectionForm(ZhForm):
    """更正 one update: its figures' right values, the percent, and why."""

    percent = StringField("更正后的进度(%)", render_kw={"type": "number", "min": 0, "max": 100, "inputmode": "numeric"})
    note = TextAreaField("更正说明", render_kw={"maxlength": TEXT_MAX, "placeholder": "如:上次填报偏高,实际宣讲3次"})


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
    report_section = SelectField("报告板块", validate_choice=False, choices=section_choices(list(SECTIONS)))
    description = TextAreaField("任务描述", render_kw={"maxlength": TEXT_MAX})
    owner = SelectField("责任人", default="", validate_choice=False)
    co_owners = CheckboxesField("协办人", validate_choice=False)
    lead = SelectField("牵头领导", default="", validate_choice=False)
    unit = StringField("责任单位", render_kw={"maxlength": UNIT_MAX, "placeholder": "如:司法所、刘村村"})
    start_date = StringField("开始日期", render_kw=DATE)
    due_date = StringField("完成时限", render_kw=DATE)
    version = HiddenField()

    def sections(self, titles: list[str], current: int | None = None):
        """Offer the sub-sections of the organisation's report template for the plan's year.

        A task left beyond a template that has since shrunk keeps its section on offer: with it missing,
        the browser would post the first option and an unrelated edit would move the task to (一).
        """
        self.report_section.choices = section_choices(titles)
        if isinstance(current, int) and len(titles) < current <= len(NUMERALS):
            self.report_section.choices.append(SelectChoice(str(current), f"({NUMERALS[current - 1]})(模板中已无此板块)"))
        return self

    def people(self, colleagues: list[tuple[str, str, str]]):
        """Offer the organisation's active users; only leaders and the committee may lead."""
        self.owner.choices = [NONE] + [(u, f"{n}({u})") for u, n, _ in colleagues]
        self.co_owners.choices = [(u, n) for u, n, _ in colleagues]
        self.lead.choices = [NONE] + [(u, f"{n}({u})") for u, n, r in colleagues if r in ("leader", "committee")]
        return self

    def data_for_service(self) -> dict:
        """The fields as the task services take them."""
        return {"title": self.title.data, "theme": self.theme.data, "description": self.description.data or "",
                "report_section": as_int(self.report_section.data, self.report_section.data),
                "owner": self.owner.data or None, "co_owners": list(self.co_owners.data or []),
                "lead": self.lead.data or None, "unit": self.unit.data or "",
                "start_date": self.start_date.data or None, "due_date": self.due_date.data or None}


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
    rows = RowList(FormField(SplitRow), min_entries=5, max_entries=10)


class BulkAssignForm(ZhForm):
    """Several tasks to one owner, lead and due date (批量交办)."""

    task_ids = SelectMultipleField("任务", coerce=int, validate_choice=False)
    owner = SelectField("责任人", default="", validate_choice=False)
    lead = SelectField("牵头领导", default="", validate_choice=False)
    due_date = StringField("完成时限", render_kw=DATE, validators=[InputRequired("请填写完成时限")])
    unit = StringField("责任单位", render_kw={"maxlength": UNIT_MAX, "placeholder": "不填则不变"})
    co_owners = CheckboxesField("协办人(不勾选则不变)", validate_choice=False)
    allow_past = BooleanField("完成时限早于今天,仍按此交办")

    def people(self, colleagues: list[tuple[str, str, str]]):
        self.owner.choices = [NONE] + [(u, f"{n}({u})") for u, n, _ in colleagues]
        self.co_owners.choices = [(u, n) for u, n, _ in colleagues]
        self.lead.choices = [("", "(不变)")] + [(u, f"{n}({u})") for u, n, r in colleagues
                                               if r in ("leader", "committee")]
        return self
