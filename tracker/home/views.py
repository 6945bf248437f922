"""The landing page: the user's own open tasks, most urgent first."""
from flask import Blueprint, render_template
from flask_login import current_user, login_required

from tracker.services.clock import today
from tracker.services.lights import light
from tracker.services.queries import my_open_tasks

bp = Blueprint("home", __name__)


@bp.route("/")
@login_required
def index():
    day = today()
    rows = my_open_tasks(current_user, day)
    return render_template("home/index.html", rows=[(t, light(t, day)) for t in rows], today=day)
