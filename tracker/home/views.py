"""The landing page (我的任务): the user's own open tasks, most urgent first, one tap from posting progress."""
from flask import Blueprint, render_template, request
from flask_login import current_user, login_required
from markupsafe import Markup

from tracker.models import STATUS_LABELS, PlanTheme
from tracker.services.calendar.clock import today
from tracker.services.plans.sections import sections_for
from tracker.services.tasks import counting
from tracker.services.tasks.lights import LIGHT_LABELS
from tracker.services.tasks.lists import SORTS, led_open_count, my_tasks, theme_choices
from tracker.services.tasks.review_queue import pending_count
from tracker.task_pages.listing import MY_ALL, MY_FILTERS, TaskFilterForm
from tracker.web import page_args, pager

bp = Blueprint("home", __name__)
THEME_KEY_LENGTH = PlanTheme.__table__.c.key.type.length


def _listing(day) -> str:
    """The filters, the page of tasks and its pager, as HTML."""
    form = TaskFilterForm().mine(theme_choices(current_user)).sections(sections_for(current_user.org, day.year))
    filters, include_closed = form.my_filters()
    page, per_page = page_args()
    rows, total = my_tasks(current_user, day, page, per_page, filters, include_closed=include_closed)
    led = led_open_count(current_user) if current_user.role in ("leader", "committee") else 0
    return render_template("home/_listing.html", pager=pager(rows, total, page, per_page), led=led, form=form,
                           filters=MY_FILTERS)


def _decimal(size: int):
    """A check that a value is a number of at most `size` digits."""
    return lambda value: value.isdecimal() and len(value) <= size


# The values a kept list may be asked with. A search's free text, a parameter of no meaning here (a cache-buster)
# or a value no form offers would each make a page of its own in Redis: such a list is worked out and not kept.
KEPT_VALUES = {"theme": lambda value: len(value) <= THEME_KEY_LENGTH, "status": {*STATUS_LABELS, MY_ALL}.__contains__,
               "light": LIGHT_LABELS.__contains__, "section": _decimal(2), "sort": SORTS.__contains__,
               "page": _decimal(6), "per_page": _decimal(3)}


def _kept_key() -> str | None:
    """The shared cache's name for this list, or None when it is not kept."""
    given = sorted((name, value) for name, value in request.args.items(multi=True) if value)  # blank: not asked
    if not all(name in KEPT_VALUES and KEPT_VALUES[name](value) for name, value in given):
        return None
    return "home:" + counting.digest((current_user.id, current_user.role, request.script_root, given))


@bp.route("/")
@login_required
def index():
    day = today()
    key = _kept_key()
    # The list depends on the user, the query string and the tasks only: a cadre who opens the page again and
    # again while nothing changed gets it from the shared cache (the ORM and the templates were 2/3 of its time).
    listing = _listing(day) if key is None else counting.shared(current_user, day, key, lambda: _listing(day))
    return render_template("home/index.html", listing=Markup(listing), today=day,
                           waiting=pending_count(current_user))
