"""Forms of the 上级交办 pages: shape only; tracker.services.directives decides what is valid."""
from wtforms import SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import Length

from tracker.services.plans.sections import NUMERALS, SECTIONS
from tracker.services.validation import TEXT_MAX, TITLE_MAX, as_id, as_int
from tracker.web import ZhForm

SECTION_CHOICES = [SelectChoice("", "(不指定,默认第一板块)")] + [
    SelectChoice(str(i + 1), f"({NUMERALS[i]}){t}") for i, t in enumerate(SECTIONS)]


class IssueForm(ZhForm):
    """下达任务: to which organisation below, what, by when, in which year's plan."""

    # Not limited to the offered choices here: a forged organisation reaches the service, which refuses it (403).
    org = SelectField("交办给", validate_choice=False)
    title = StringField("任务名称", validators=[Length(max=TITLE_MAX)], render_kw={"maxlength": TITLE_MAX})
    description = TextAreaField("任务要求", validators=[Length(max=TEXT_MAX)], render_kw={"rows": 4})
    due_date = StringField("完成时限", render_kw={"type": "date"})
    year = StringField("纳入年度", render_kw={"inputmode": "numeric", "maxlength": 4})
    report_section = SelectField("报告板块", choices=SECTION_CHOICES, default="", validate_choice=False)

    def values(self) -> dict:
        """The fields as the service takes them; what does not parse is passed on for it to refuse."""
        raw_year = (self.year.data or "").strip()
        return {"title": self.title.data, "description": self.description.data, "due_date": self.due_date.data,
                "year": int(raw_year) if raw_year.isdecimal() and len(raw_year) <= 6 else raw_year,
                "report_section": as_int(self.report_section.data, self.report_section.data) or None}

    def org_id(self):
        return as_id(self.org.data or "")


class AcceptForm(ZhForm):
    """接收: into which theme of the township's plan (and, optionally, another report sub-section)."""

    theme = SelectField("纳入主题", validate_choice=False)
    report_section = SelectField("报告板块", choices=[SelectChoice("", "(按上级所定)")] + SECTION_CHOICES[1:],
                                 default="", validate_choice=False)


class DeclineForm(ZhForm):
    """退回: with a reason the county reads."""

    reason = TextAreaField("退回理由", validators=[Length(max=TEXT_MAX)], render_kw={"rows": 2})
