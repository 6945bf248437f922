"""The task list's filter form, shared by the task list and the plan page."""
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional

from tracker.models import STATUS_LABELS
from tracker.services.light_sql import LIGHT_LABELS
from tracker.services.report_sections import NUMERALS, SECTION_COUNT
from tracker.services.task_lists import SORTS, ListFilters
from tracker.web import QueryForm

ALL = ("", "全部")


class TaskFilterForm(QueryForm):
    """Search, filters and sorting; a bad value is reported beside its field and ignored."""

    q = StringField("搜索", validators=[Optional(), Length(max=100, message="关键词不能超过100个字")],
                    render_kw={"placeholder": "任务名称、描述或单位"})
    theme = SelectField("主题", default="")
    status = SelectField("状态", default="", choices=[ALL] + list(STATUS_LABELS.items()))
    light = SelectField("红黄绿灯", default="", choices=[ALL] + list(LIGHT_LABELS.items()))
    owner = SelectField("责任人", default="")
    lead = SelectField("牵头领导", default="")
    section = SelectField("报告板块", default="", choices=[ALL] + [(str(i), f"({NUMERALS[i - 1]})") for i in
                                                    range(1, SECTION_COUNT + 1)])
    unit = StringField("责任单位", validators=[Optional(), Length(max=100, message="单位不能超过100个字")])
    org = SelectField("单位", default="")
    year = SelectField("年度", default="")
    overdue = SelectField("逾期", default="", choices=[ALL, ("1", "只看逾期")])
    sort = SelectField("排序", choices=list(SORTS.items()))

    def fill(self, choices: dict, years: list[int] | None = None, default_sort: str = "urgency"):
        """Set the choices the user can pick from (themes, people, organisations, years)."""
        self.theme.choices = [ALL] + [(k, f"{k} · {t}") for k, t in choices["themes"]]
        people = [(u, f"{n}({u})") for u, n in choices["people"]]
        self.owner.choices = [ALL] + people
        self.lead.choices = [ALL] + people
        self.org.choices = [ALL] + [(str(i), n) for i, n in choices["orgs"]]
        self.year.choices = [ALL] + [(str(y), f"{y}年") for y in (years or [])]
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

    @property
    def is_filtered(self) -> bool:
        return any(f.data not in (None, "", "None") for f in self if f.name not in ("sort",))
