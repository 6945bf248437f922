"""The task list's filter form, shared by the task list, the plan page and 我的任务."""
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import Length, Optional
from wtforms.widgets import TextInput

from tracker.models import STATUS_LABELS
from tracker.services.plans.sections import MAX_SECTIONS, NUMERALS, section_title
from tracker.services.tasks.lights import LIGHT_LABELS
from tracker.services.tasks.lists import SORTS, ListFilters
from tracker.web import QueryForm

ALL = SelectChoice("", "全部")
MY_ALL = "all"  # 我的任务 shows open tasks unless asked for every status
MY_FILTERS = ["q", "theme", "status", "light", "section", "unit", "sort"]


def _options(pairs) -> list[SelectChoice]:
    return [SelectChoice(str(value), label) for value, label in pairs]


class PersonField(SelectField):
    """A select of people, or a username typed in where there are too many people to list."""

    def _value(self) -> str:  # what the text input shows
        return "" if self.data in (None, "None") else self.data

    def type_in(self) -> None:
        self.widget, self.validate_choice = TextInput(), False
        self.render_kw = {"placeholder": "用户名", "maxlength": 64}


class TaskFilterForm(QueryForm):
    """Search, filters and sorting; a bad value is reported beside its field and ignored."""

    q = StringField("搜索", validators=[Optional(), Length(max=100, message="关键词不能超过100个字")],
                    render_kw={"placeholder": "任务名称、描述或单位"})
    theme = SelectField("主题", default="")
    status = SelectField("状态", default="", choices=[ALL] + _options(STATUS_LABELS.items()))
    light = SelectField("红黄绿灯", default="", choices=[ALL] + _options(LIGHT_LABELS.items()))
    owner = PersonField("责任人", default="")
    lead = PersonField("牵头领导", default="")
    # Up to the most sub-sections a report template may have, so an eighth added by the committee can be picked.
    section = SelectField("报告板块", default="", choices=[ALL] + _options((i, f"({NUMERALS[i - 1]})") for i in
                                                             range(1, MAX_SECTIONS + 1)))
    unit = StringField("责任单位", validators=[Optional(), Length(max=100, message="单位不能超过100个字")])
    org = SelectField("单位", default="")
    year = SelectField("年度", default="")
    overdue = SelectField("逾期", default="", choices=[ALL, SelectChoice("1", "只看逾期")])
    sort = SelectField("排序", choices=_options(SORTS.items()))

    def sections(self, titles: list[str]):
        """Offer only the sections of the template in force (plans/sections.sections_for), with their titles."""
        self.section.choices = [ALL] + _options(
            (i, section_title(i, titles)[:16] + ("…" if len(section_title(i, titles)) > 16 else ""))
            for i in range(1, len(titles) + 1))
        return self

    def fill(self, choices: dict, years: list[int] | None = None, default_sort: str = "urgency"):
        """Set the choices the user can pick from (themes, people, organisations, years)."""
        self.theme.choices = [ALL] + _options((k, f"{k} · {t}") for k, t in choices["themes"])
        if choices["people"] is None:
            self.owner.type_in()
            self.lead.type_in()
        else:
            people = _options((u, f"{n}({u})") for u, n in choices["people"])
            self.owner.choices = [ALL] + people
            self.lead.choices = [ALL] + people
        self.org.choices = [ALL] + _options(choices["orgs"])
        self.year.choices = [ALL] + _options((y, f"{y}年") for y in (years or []))
        if not self.sort.data or self.sort.data == "None":
            self.sort.data = default_sort
        return self

    def filters(self, **fixed) -> ListFilters:
        """Validated values as ListFilters; an invalid field is left out (its message shows)."""
        self.validate()

        def ok(field):
            value = field.data
            return None if field.errors or value in (None, "", "None") else value

        sort = ok(self.sort) or "urgency"
        values = dict(q=ok(self.q), theme=ok(self.theme), status=ok(self.status), light=ok(self.light),
                      owner=ok(self.owner), lead=ok(self.lead), unit=ok(self.unit),
                      section=int(ok(self.section)) if ok(self.section) else None,
                      org_id=int(ok(self.org)) if ok(self.org) else None,
                      year=int(ok(self.year)) if ok(self.year) else None,
                      sort=sort)
        if ok(self.overdue) == "1":
            # Overdue is the red light, counted from the effective due date like everywhere else.
            values["light"] = "red"
        values.update(fixed)
        return ListFilters(**values)

    def mine(self, themes: list[tuple[str, str]]):
        """Fit the form to 我的任务: themes only (the rest is the user's own); status open unless chosen."""
        self.theme.choices = [ALL] + _options((k, f"{k} · {t}") for k, t in themes)
        for field in (self.owner, self.lead, self.org, self.year):
            field.choices = [ALL]
        self.status.choices = [SelectChoice("", "未办结"), SelectChoice(MY_ALL, "全部(含已结束)")] + _options(
            (k, v) for k, v in STATUS_LABELS.items() if k != "draft")
        if not self.sort.data or self.sort.data == "None":
            self.sort.data = "urgency"
        return self

    def my_filters(self) -> tuple[ListFilters, bool]:
        """Validated filters for 我的任务 and whether closed tasks are included (only when asked)."""
        f = self.filters()
        include_closed = f.status is not None
        if f.status == MY_ALL:
            f.status = None
        return f, include_closed

    @property
    def is_filtered(self) -> bool:
        return any(f.data not in (None, "", "None") for f in self if f.name not in ("sort",))
