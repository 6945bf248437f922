"""The landing page (我的任务): the user's own open tasks, most urgent first, one tap from posting progress."""
from flask import Blueprint, render_template
from flask_login import current_user, login_required

from tracker.services.clock import today
from tracker.services.review_queue import pending_count
from tracker.services.task_lists import led_open_count, my_tasks, theme_choices
from tracker.task_pages.listing import MY_FILTERS, TaskFilterForm
from tracker.web import page_args, pager

bp = Blueprint("home", __name__)


@bp.route("/")
@login_required
def index():
    day = today()
    form = TaskFilterForm().mine(theme_choices(current_user))
    filters, include_closed = form.my_filters()
    page, per_page = page_args()
    rows, total = my_tasks(current_user, day, page, per_page, filters, include_closed=include_closed)
    led = led_open_count(current_user) if current_user.role in ("leader", "committee") else 0
    return render_template("home/index.html", pager=pager(rows, total, page, per_page), today=day,
                           waiting=pending_count(current_user), led=led, form=form, filters=MY_FILTERS)
