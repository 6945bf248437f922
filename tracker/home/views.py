"""The landing page (我的任务): the user's own open tasks, most urgent first, one tap from posting progress."""
from flask import Blueprint, render_template, request
from flask_login import current_user, login_required
from markupsafe import Markup

from tracker.services import counting
from tracker.services.clock import today
from tracker.services.review_queue import pending_count
from tracker.services.task_lists import led_open_count, my_tasks, theme_choices
from tracker.task_pages.listing import MY_FILTERS, TaskFilterForm
from tracker.web import page_args, pager

bp = Blueprint("home", __name__)


def _listing(day) -> str:
    """The filters, the page of tasks and its pager, as HTML."""
    form = TaskFilterForm().mine(theme_choices(current_user))
    filters, include_closed = form.my_filters()
    page, per_page = page_args()
    rows, total = my_tasks(current_user, day, page, per_page, filters, include_closed=include_closed)
    led = led_open_count(current_user) if current_user.role in ("leader", "committee") else 0
    return render_template("home/_listing.html", pager=pager(rows, total, page, per_page), led=led, form=form,
                           filters=MY_FILTERS)


# What a kept list may be asked with: a search's free text, or a parameter of no meaning here (a cache-buster),
# would make a page of its own in Redis for each request, so such a list is worked out and not kept.
KEPT_ARGS = frozenset(MY_FILTERS) - {"q", "unit"} | {"page", "per_page"}


@bp.route("/")
@login_required
def index():
    day = today()
    if set(request.args) <= KEPT_ARGS:
        # The list depends on the user, the query string and the tasks only: a cadre who opens the page again
        # and again while nothing changed gets it from the shared cache (the ORM and the templates were 2/3 of
        # its time).
        key = "home:" + counting.digest((current_user.id, current_user.role, request.script_root,
                                         sorted(request.args.items(multi=True))))
        listing = counting.shared(current_user, day, key, lambda: _listing(day))
    else:
        listing = _listing(day)
    return render_template("home/index.html", listing=Markup(listing), today=day,
                           waiting=pending_count(current_user))
