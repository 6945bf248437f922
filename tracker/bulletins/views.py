"""通报排名: the ranking table with its definitions, 红榜 and 黑榜, and the 通报's download."""
from datetime import date
from urllib.parse import quote

from flask import Response, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.bulletins.blueprint import bp
from tracker.services.calendar.clock import today
from tracker.services.people.access import may_rank
from tracker.services.rankings import bulletin
from tracker.services.rankings import ranking as rankings
from tracker.services.rankings.rates import DEFINITIONS
from tracker.web import FAILED, perform, roles_required

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ROLES = ("committee", "leader", "cadre", "viewer")


def _default_by() -> str:
    """A county (an organisation with some below it) ranks those first; a township its units; cadres units."""
    if current_user.role == "cadre":
        return "unit"
    return "org" if current_user.org.children else "unit"


def _ranked(args, start=None, end=None):
    """Parse the query and rank; a refusal of rights is a 403 page and an audit row (through perform)."""
    day = today()
    year, by, start_, end_ = rankings.parse(args.get("year") or day.year, args.get("by") or _default_by(),
                                            start or args.get("from"), end or args.get("to"))
    org = rankings.scope_org(current_user, args.get("org"))
    return rankings.ranking(current_user, year, by, start_, end_, day, org)


@bp.route("/bulletin")
@roles_required(*ROLES)
def index():
    result = perform(None, _ranked, request.args)
    failed = result is FAILED
    if failed:  # an input mistake, flashed: the page shows this year's default ranking under the message
        year = today().year
        result = rankings.ranking(current_user, year, _default_by(), date(year, 1, 1), date(year, 12, 31), today())
    top, bottom = rankings.boards(result.rows)
    choices = [by for by in rankings.GROUPINGS if may_rank(current_user, result.org, by)]
    return render_template("bulletins/index.html", r=result, top=top, bottom=bottom, choices=choices,
                           definitions=DEFINITIONS, groupings=rankings.GROUPINGS, quarters=bulletin.QUARTERS,
                           this_quarter=(today().month - 1) // 3 + 1), 400 if failed else 200


def _bulletin(args):
    day = today()
    year = rankings.parse(args.get("year") or day.year, args.get("by") or _default_by())[0]
    when = bulletin.period(year, args.get("kind"), args.get("number"))
    result = _ranked(args, when.start.isoformat(), when.end.isoformat())
    overdue, total = rankings.overdue_tasks(result, day)
    return when, bulletin.to_docx(result, when, overdue, total, day)


@bp.route("/bulletin/download")
@roles_required(*ROLES)
def download():
    made = perform(None, _bulletin, request.args)
    if made is FAILED:
        keep = {k: v for k, v in request.args.items() if k in ("year", "by", "org")}
        return redirect(url_for("bulletins.index", **keep))
    when, data = made
    response = Response(data, mimetype=DOCX)
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(when.title + '.docx')}"
    response.headers["Cache-Control"] = "private, no-store"
    return response
