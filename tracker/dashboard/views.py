"""The dashboard (仪表盘): counts by status and light, progress per theme, section, owner and organisation."""
from flask import Blueprint, render_template, request, url_for
from flask_login import current_user

from tracker.models import STATUS_LABELS
from tracker.services.calendar.clock import today
from tracker.services.dashboard import summary as dashboard
from tracker.services.dashboard.acknowledgements import unacknowledged
from tracker.services.dashboard.year_turn import year_turn
from tracker.services.plans.sections import sections_for
from tracker.services.rankings.ranking import year_rates
from tracker.services.tasks.lights import LIGHT_LABELS
from tracker.services.validation import as_year
from tracker.web import roles_required

bp = Blueprint("dashboard", __name__)

# A city has hundreds of units (and thousands of owners, see dashboard.OWNER_ROWS): the page lists the most
# overdue first and the rest on request (a 286-unit dashboard was 234 KB and 33 req/s; bench/http_load.py).
ORG_ROWS = 30


@bp.route("/dashboard")
@roles_required("committee", "leader", "viewer")
def index():
    day = today()
    years = dashboard.years(current_user)
    year = as_year(request.args.get("year"))
    if year not in years:
        year = day.year if day.year in years or not years else years[0]
    data = dashboard.build(current_user, year, day, every_owner=request.args.get("owners") == "all")
    # The committee sends the report up and the county collects it: both watch the 1 April deadline.
    countdown = dashboard.report_countdown(day) if current_user.role in ("committee", "viewer") else None
    orgs = data.orgs if request.args.get("orgs") == "all" or len(data.orgs) <= ORG_ROWS else \
        dashboard.most_overdue_first(data.orgs)[:ORG_ROWS]
    return render_template("dashboard/index.html", d=data, owners=data.owners, orgs=orgs, years=years,
                           status_labels=STATUS_LABELS,
                           light_labels=LIGHT_LABELS, per_org=len(data.orgs) > 1, countdown=countdown,
                           section_titles=sections_for(current_user.org, year),
                           year_turn=year_turn(current_user, day), rates=year_rates(current_user, year, day),
                           unacknowledged=unacknowledged(current_user, year, day),  # 未签收 (issue 17)
                           tasks_url=url_for("task_pages.index"))  # each breakdown cell adds its filters to it
