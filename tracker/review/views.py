"""The review queue (待审核): pending completion and extension requests, oldest first."""
from flask import Blueprint, render_template
from flask_login import current_user
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import Length, Optional

from tracker.services.calendar.clock import today
from tracker.services.tasks import lists as task_lists
from tracker.services.tasks.requests import KIND_LABELS
from tracker.services.tasks.review_queue import QUEUE_SORTS, QueueFilters, first_pending_ids, queue_page
from tracker.web import QueryForm, page_args, pager, roles_required

bp = Blueprint("review", __name__)
LED_SHOWN = 10


class QueueFilterForm(QueryForm):
    q = StringField("搜索", validators=[Optional(), Length(max=100, message="关键词不能超过100个字")])
    kind = SelectField("申请类型", default="",
                       choices=[SelectChoice("", "全部")] + [SelectChoice(k, v) for k, v in KIND_LABELS.items()])
    theme = SelectField("主题", default="")
    sort = SelectField("排序", default="oldest", choices=[SelectChoice(k, v) for k, v in QUEUE_SORTS.items()])

    @property
    def is_filtered(self) -> bool:
        return bool(self.q.data or self.kind.data or self.theme.data)


@bp.route("/review")
@roles_required("committee", "leader")
def index():
    form = QueueFilterForm()
    form.theme.choices = [("", "全部")] + [(k, f"{k} · {t}") for k, t in
                                         task_lists.filter_choices(current_user)["themes"]]
    form.validate()

    def ok(field):
        return None if field.errors or not field.data else field.data

    filters = QueueFilters(kind=ok(form.kind), theme=ok(form.theme), q=ok(form.q), sort=ok(form.sort) or "oldest")
    page, per_page = page_args()
    rows, total = queue_page(current_user, filters, page, per_page)
    led, led_total = [], 0
    if current_user.role == "leader":  # a leader's start page: what waits, then the tasks they lead, most urgent first
        led, led_total = task_lists.task_list(current_user, task_lists.ListFilters(
            lead=current_user.username, open_only=True, sort="urgency"), today(), 1, LED_SHOWN)
    return render_template("review/index.html", form=form, pager=pager(rows, total, page, per_page),
                           kind_labels=KIND_LABELS, decidable=first_pending_ids(rows), led=led, led_total=led_total)
