"""Forms of the plan pages: shape only; tracker.services.plans.verbs decides what is valid."""
from wtforms import StringField

from tracker.web import ZhForm


class PlanForm(ZhForm):
    """A new year's plan (新建年度计划): the year and, optionally, its title."""

    year = StringField("年度", render_kw={"inputmode": "numeric", "maxlength": 4, "placeholder": "如:2027"})
    title = StringField("计划标题(可不填)", render_kw={"maxlength": 200})

    def year_value(self):
        """The year as a number when it looks like one; otherwise as typed, for the service to refuse."""
        raw = (self.year.data or "").strip()
        return int(raw) if raw.isdecimal() and len(raw) <= 6 else raw
